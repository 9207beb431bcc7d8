import { DEFAULT_ACCOUNT_TOKEN_POLICY } from '../accounts/account-token.js'
import type { Config } from '../config/config-schema.js'
import { loadPasswordList } from '../users/common-passwords.js'
import {
  createPasswordEstimatePool,
  type EstimateFailureLog,
  type PasswordEstimatePool,
  type PasswordEstimator,
} from '../users/password-estimate-pool.js'
import type { PasswordBlocklist } from '../users/password-policy.js'

/**
 * Read once per process, at the first new password: every instance of a process shares the list,
 * and an idle server does not hold its 18,000 entries (~1.2 MB of heap; docs/architecture.md §9,
 * "Memory").
 */
let loadedBlocklist: ReadonlySet<string> | undefined
const blocklist: PasswordBlocklist = {
  has: (password) => {
    loadedBlocklist ??= loadPasswordList()
    return loadedBlocklist.has(password)
  },
}
/**
 * One per process: every instance of a process shares the estimator's thread and its dictionaries;
 * each instance's estimates report their failures through that instance's logger.
 */
let sharedPool: PasswordEstimatePool | undefined

/**
 * The estimator an instance uses: a pool's view that reports through the instance's `log`. The
 * process's pool is made by the first instance, with its `idleMs`.
 */
function reportingTo(
  estimator: PasswordEstimator | PasswordEstimatePool | undefined,
  log: EstimateFailureLog,
  idleMs: number,
): PasswordEstimator {
  if (!estimator) {
    sharedPool ??= createPasswordEstimatePool({ idleMs })
    return sharedPool.reportingTo(log)
  }
  return 'reportingTo' in estimator ? estimator.reportingTo(log) : estimator
}

/**
 * The configuration's durations (seconds) turned into the policies the services take (milliseconds).
 * `estimator`: the password-strength estimator, the process's worker thread by default; a pool
 * (users/password-estimate-pool.ts) tells `log` why this instance's estimates failed.
 */
export function policiesFrom(config: Config, log: EstimateFailureLog, estimator?: PasswordEstimator) {
  const { estimatorIdleTimeout, ...passwordRules } = config.password
  return {
    session: {
      idleTimeoutMs: config.session.idleTimeout * 1000,
      absoluteLifetimeMs: config.session.absoluteLifetime * 1000,
      activityIntervalMs: config.session.activityInterval * 1000,
    },
    throttle: {
      freeFailures: config.signIn.freeFailures,
      backoffBaseMs: config.signIn.backoffBase * 1000,
      backoffMaxMs: config.signIn.backoffMax * 1000,
    },
    refresh: {
      idleTtlMs: config.tokens.refreshTokenIdleTtl * 1000,
      absoluteTtlMs: config.tokens.refreshTokenAbsoluteTtl * 1000,
      graceMs: config.tokens.refreshGracePeriod * 1000,
    },
    // The product's name as users see it is a word their password should not lean on.
    password: {
      ...passwordRules,
      blocklist,
      serviceName: config.email.productName,
      estimator: reportingTo(estimator, log, estimatorIdleTimeout * 1000),
    },
    /** Revocations are kept as long as the longest access token they may concern lives. */
    revocationRetentionMs: config.tokens.maxAccessTokenTtl * 1000,
    accountToken: {
      ...DEFAULT_ACCOUNT_TOKEN_POLICY,
      verificationLinkTtlMs: config.email.verificationLinkTtl * 1000,
      resetLinkTtlMs: config.email.resetLinkTtl * 1000,
    },
    accountLimits: {
      windowMs: config.email.requestWindow * 1000,
      perAddress: config.email.requestsPerAddress,
      perIp: config.email.requestsPerIp,
    },
  }
}

export type Policies = ReturnType<typeof policiesFrom>
