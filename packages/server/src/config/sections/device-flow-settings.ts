import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** The device authorization grant (RFC 8628, docs/oidc.md): code lifetime, polling, and the verification page's limits. */
export const DeviceFlowSettings = Type.Object(
  {
    codeLifetime: seconds(
      600,
      60,
      'TESSERA_DEVICE_FLOW_CODE_LIFETIME',
      'How long a device code and its user code stay usable (RFC 8628 §3.2 `expires_in`): the time a person has to open the verification page and approve.',
    ),
    interval: seconds(
      5,
      1,
      'TESSERA_DEVICE_FLOW_INTERVAL',
      'The least time a device waits between two polls of the token endpoint (RFC 8628 §3.2 `interval`); a device polling faster gets `slow_down` and five more seconds.',
    ),
    entriesPerSession: Type.Integer({
      default: 10,
      minimum: 1,
      env: 'TESSERA_DEVICE_FLOW_ENTRIES_PER_SESSION',
      description:
        'User codes one signed-in session may enter on the verification page in each `deviceFlow.entryWindow`, right or wrong (RFC 8628 §5.1: with 20^8 codes, guessing a live one takes millions of tries).',
    }),
    entriesPerIp: Type.Integer({
      default: 50,
      minimum: 1,
      env: 'TESSERA_DEVICE_FLOW_ENTRIES_PER_IP',
      description:
        'User codes entered from one client IP in each `deviceFlow.entryWindow`, across every session. Counted across all instances.',
    }),
    entryWindow: seconds(900, 60, 'TESSERA_DEVICE_FLOW_ENTRY_WINDOW', 'Length of the windows of `entriesPerSession` and `entriesPerIp`.'),
  },
  { default: {}, additionalProperties: false },
)
