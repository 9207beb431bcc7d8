/**
 * The APIs Tessera defines itself. The admin API (`urn:tessera:admin`) guards the admin routes;
 * its identity lives here, below both `apis/` (which protects it from change and deletion) and
 * `admin/` (which defines its permissions and checks its tokens).
 */
export const ADMIN_API_IDENTIFIER = 'urn:tessera:admin'
export const ADMIN_API_ID = 'api_tessera_admin'

/** A built-in API cannot be changed or deleted through the API service. */
export function isBuiltInApi(identifier: string): boolean {
  return identifier === ADMIN_API_IDENTIFIER
}
