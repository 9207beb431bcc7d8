/** A user as every part of Tessera sees it. The password hash lives elsewhere (password-credential-store.ts). */
export interface User {
  id: string
  email: string
  status: 'active' | 'disabled'
  tokenVersion: number
  /** True once the user proved control of `email` (a link or code sent to it); a new address starts unverified. */
  emailVerified: boolean
  createdAt: number
  updatedAt: number
}

/** The public view of a user in HTTP and CLI output. */
export function presentUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    status: user.status,
    emailVerified: user.emailVerified,
    createdAt: new Date(user.createdAt).toISOString(),
  }
}
