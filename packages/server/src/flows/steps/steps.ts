import type { StepName } from '../flow.js'
import { confirmLogoutStep } from './confirm-logout-step.js'
import { consentStep } from './consent-step.js'
import { newPasswordStep } from './new-password-step.js'
import { passkeyStep } from './passkey-step.js'
import { passwordStep } from './password-step.js'
import { recoveryCodeStep } from './recovery-code-step.js'
import { recoveryEmailStep } from './recovery-email-step.js'
import { registrationStep } from './registration-step.js'
import { recoveryCodesStep, secondFactorEnrolmentStep } from './second-factor-enrolment-step.js'
import { secondFactorStep } from './second-factor-step.js'
import type { Step } from './step.js'
import { upstreamStep } from './upstream-step.js'
import { verifyEmailStep } from './verify-email-step.js'

/** Every step, by name: a new step is one module here and one page (or JSON field) to drive it. */
export const STEPS: Readonly<Record<StepName, Step>> = {
  password: passwordStep,
  registration: registrationStep,
  second_factor: secondFactorStep,
  passkey: passkeyStep,
  second_factor_enrolment: secondFactorEnrolmentStep,
  recovery_codes: recoveryCodesStep,
  consent: consentStep,
  confirm_logout: confirmLogoutStep,
  upstream: upstreamStep,
  verify_email: verifyEmailStep,
  recovery_email: recoveryEmailStep,
  recovery_code: recoveryCodeStep,
  new_password: newPasswordStep,
}
