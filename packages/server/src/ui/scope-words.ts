/** Human words for the consent page; API scopes are shown by name. */
export function describeScope(scope: string): string {
  switch (scope) {
    case 'openid':
      return 'Know who you are (your Tessera user id)'
    case 'profile':
      return 'See your basic profile'
    case 'email':
      return 'See your email address'
    case 'offline_access':
      return 'Stay signed in when you are not using it'
    default:
      return `Use the permission “${scope}”`
  }
}
