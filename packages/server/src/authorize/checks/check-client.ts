import type { Application } from '../../applications/application.js'
import { TesseraError } from '../../shared/errors.js'
import type { RequestValues } from './request-values.js'

/**
 * RFC 6749 §4.1.2.1: the client must be known before anything is sent anywhere. A repeated
 * client_id or redirect_uri is as untrustworthy as an unknown one.
 */
export async function checkClient(
  values: RequestValues,
  findApplication: (clientId: string) => Promise<Application | null>,
): Promise<Application> {
  if (values.repeated.has('client_id') || values.repeated.has('redirect_uri'))
    throw new TesseraError('invalid_request', { detail: 'client_id and redirect_uri must not repeat' })
  const clientId = values.get('client_id')
  if (clientId === undefined) throw new TesseraError('invalid_request', { detail: 'client_id is required' })
  const application = clientId.length <= 64 ? await findApplication(clientId) : null
  if (!application) throw new TesseraError('unknown_client')
  return application
}
