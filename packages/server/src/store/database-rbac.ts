/** Roles bundle permissions (an API's scopes) and are assigned to users and applications. */
export interface RolesTable {
  id: string
  /** Unique. */
  name: string
  description: string
  /** 1: given to every new account at sign-up. */
  is_default: number
  created_at: number
  updated_at: number
}

export interface RolePermissionsTable {
  role_id: string
  /** The API's identifier (its audience). */
  api: string
  /** One of the API's scopes. */
  permission: string
}

export interface UserRolesTable {
  user_id: string
  role_id: string
  created_at: number
}

export interface ApplicationRolesTable {
  application_id: string
  role_id: string
  created_at: number
}

/** A projection of the event outbox; never holds a secret. */
export interface AuditLogTable {
  /** The outbox seq of the event it records. */
  seq: number
  occurred_at: number
  actor_kind: 'user' | 'application' | 'cli' | 'system' | 'anonymous'
  actor_id: string | null
  /** The event type, e.g. `role.created`. */
  action: string
  target_type: string | null
  target_id: string | null
  /** The user the event concerns. */
  user_id: string | null
  ip: string | null
  /** JSON object of whitelisted fields. */
  detail: string
}

export interface AuditProjectionTable {
  id: string
  watermark: number
}
