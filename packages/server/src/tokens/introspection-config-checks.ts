import type { Application } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { RevocationLog } from '../revocation/revocation-log.js'

/** The config cache's held values (`undefined`: not held); see `IntrospectionServiceDeps.held`. */
export interface ConfigHeld {
  application(clientId: string): Application | undefined
  api(identifier: string): object | undefined
  apiCutoff(identifier: string): number | null | undefined
  clientCutoff(clientId: string): number | null | undefined
}

export interface IntrospectionConfigDeps {
  /** The built-in userinfo audience: always live, no API cut-off. */
  userinfoAudience: string
  apiExists?: ((identifier: string) => Promise<boolean>) | undefined
  applications: Pick<ApplicationService, 'find'>
  apiCutoffs: Pick<RevocationLog, 'apiCutoff'>
  clientCutoffs: Pick<RevocationLog, 'clientCutoff'>
  held?: ConfigHeld | undefined
}

/**
 * A cut-off (an API deleted, an application that lost a role permission) kills the tokens issued up
 * to its time. Compared in whole seconds of `iat`, as the SDK's revocation set does, so both agree.
 */
const cutsOff = (at: number | null, iatSeconds: number) => at !== null && iatSeconds * 1000 <= at

/**
 * What introspection asks of the configuration about a token, by one rule in two forms: its client
 * exists, its API is registered and was not deleted after the token was issued (even if registered
 * again since), and no cut-off of the API or the client applies. `read` goes through the cached
 * reads (app/config-cache.ts); `held` answers from what the cache holds now, without waiting, or
 * `undefined` when a value is not held (an absent client or API never is), so the caller reads
 * (issue 17: one await fewer per introspection).
 */
export function createIntrospectionConfigChecks(deps: IntrospectionConfigDeps) {
  return {
    held(clientId: string, aud: string, iatSeconds: number): boolean | undefined {
      const held = deps.held
      if (!held || held.application(clientId) === undefined) return undefined
      if (aud !== deps.userinfoAudience) {
        if (deps.apiExists && held.api(aud) === undefined) return undefined
        const apiAt = held.apiCutoff(aud)
        if (apiAt === undefined) return undefined
        if (cutsOff(apiAt, iatSeconds)) return false
      }
      const clientAt = held.clientCutoff(clientId)
      if (clientAt === undefined) return undefined
      return !cutsOff(clientAt, iatSeconds)
    },

    async read(clientId: string, aud: string, iatSeconds: number, now: number): Promise<boolean> {
      if (!(await deps.applications.find(clientId))) return false
      if (aud !== deps.userinfoAudience) {
        if (deps.apiExists && !(await deps.apiExists(aud))) return false
        if (cutsOff(await deps.apiCutoffs.apiCutoff(aud, now), iatSeconds)) return false
      }
      return !cutsOff(await deps.clientCutoffs.clientCutoff(clientId, now), iatSeconds)
    },
  }
}
