import type { Actor } from '../events/event-outbox.js'
import type { Device } from '../sessions/session-service.js'
import type { EmailVerificationService } from './email-verification-service.js'
import type { SignUpService } from './sign-up-service.js'

/**
 * Email verification as a step of the self-service flows (issue 12; docs/architecture.md §11):
 * the `registration` and `verify_email` steps (flows/steps/) drive the existing services and token
 * stores through this object, so the flow, the `/v1/verify-email*` API and the link's page share
 * one set of rules (6-digit codes for 10 minutes and 5 tries, 24-hour single-use links, limits per
 * address and IP). flows/ declares the shape it needs (`FlowEmailVerification`); the composition
 * root hands it this.
 */
export function flowEmailVerification(deps: { verification: EmailVerificationService; signUp: SignUpService }) {
  const anonymous = (device: Device): Actor => ({
    kind: 'anonymous',
    ...(device.ip !== null ? { ip: device.ip } : {}),
    ...(device.locale ? { locale: device.locale } : {}),
  })
  return {
    signUp: (input: { email: string; password: string }, device: Device) => deps.signUp.signUp(input, device),
    isVerified: (userId: string) => deps.verification.isVerified(userId),
    confirmCode: (userId: string | null, flowId: string, code: string, device: Device) =>
      deps.verification.confirmFlowCode(
        userId,
        flowId,
        code,
        userId === null ? anonymous(device) : { ...anonymous(device), kind: 'user', id: userId },
      ),
    // By address, as /v1/verify-email/resend: counted per address and IP before any lookup.
    resend: (email: string, device: Device) => deps.verification.requestByEmail({ email, ip: device.ip, actor: anonymous(device) }),
  }
}
