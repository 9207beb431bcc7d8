import type { Actor } from '../events/event-outbox.js'
import type { Device } from '../sessions/session-service.js'
import type { PasswordResetService } from './password-reset-service.js'

/**
 * A forgotten password as a self-service flow (issue 12; docs/architecture.md §11): the recovery
 * flow's steps (flows/steps/recovery-*.ts, new-password-step.ts) drive the password-reset service
 * and its tokens through this object, so the flow, `POST /v1/password-reset` and the link's page
 * share one set of rules (limits per address and IP, codes of 10 minutes and 5 tries, links of 30
 * minutes, everything dead once the password changes). flows/ declares the shape it needs
 * (`FlowRecovery`); the composition root hands it this.
 */
export function flowRecovery(deps: { passwordReset: PasswordResetService }) {
  const { passwordReset } = deps
  const anonymous = (device: Device): Actor => ({
    kind: 'anonymous',
    ...(device.ip !== null ? { ip: device.ip } : {}),
    ...(device.locale ? { locale: device.locale } : {}),
  })
  return {
    request: (email: string, device: Device) => passwordReset.request({ email, ip: device.ip, actor: anonymous(device) }),
    confirmCode: (userId: string | null, flowId: string, code: string) => passwordReset.confirmCode(userId, flowId, code),
    setPassword: (userId: string, credentialStamp: number | null, password: string, device: Device) =>
      passwordReset.setPassword({ userId, credentialStamp, password, actor: anonymous(device) }),
    passwordChangedSince: (userId: string, credentialStamp: number | null) => passwordReset.passwordChangedSince(userId, credentialStamp),
  }
}
