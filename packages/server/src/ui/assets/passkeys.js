// Passkey ceremonies of the hosted pages (docs/mfa.md), served from /ui/assets under
// script-src 'self'. It uses @simplewebauthn/browser (loaded before it, as SimpleWebAuthnBrowser)
// and talks only to this origin. Every decision is the server's: this file only moves the
// browser's WebAuthn answers into a form or a JSON call.
;(() => {
  const webauthn = globalThis.SimpleWebAuthnBrowser
  const $ = (selector) => document.querySelector(selector)

  function showError(message) {
    const box = $('[data-passkey-error]')
    if (!box) return
    box.textContent = message
    box.hidden = false
  }

  /** The user closing the browser's dialog is no error worth shouting about. */
  function describe(error) {
    if (error && error.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out.'
    if (error && error.name === 'AbortError') return null
    return error && typeof error.message === 'string' ? error.message : 'The passkey did not work.'
  }

  async function postForm(url, fields) {
    const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), credentials: 'same-origin' })
    const body = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(body.title || 'The server refused the request.')
    return body
  }

  async function postJson(url, value) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(value),
      credentials: 'same-origin',
    })
    const body = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(body.title || 'The server refused the request.')
    return body
  }

  /** Sign-in and second factor: get options bound to the flow, ask the authenticator, post the form. */
  async function authenticate(form, autofill) {
    const fields = { request: form.elements.request.value, csrf: form.elements.csrf.value }
    const { challengeId, options } = await postForm(form.dataset.optionsUrl, fields)
    const assertion = await webauthn.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill })
    form.elements.webauthnChallengeId.value = challengeId
    form.elements.assertion.value = JSON.stringify(assertion)
    form.submit()
  }

  function run(task) {
    task().catch((error) => {
      const message = describe(error)
      if (message) showError(message)
    })
  }

  const authForm = $('form[data-passkey-form]')
  if (authForm) {
    const button = $('[data-passkey-start]')
    if (!webauthn?.browserSupportsWebAuthn()) {
      if (button) button.hidden = true
    } else {
      if (button) {
        button.hidden = false
        button.addEventListener('click', () => run(() => authenticate(authForm, false)))
      }
      // Passkey autofill (conditional mediation) where the page has an input that offers it.
      if ($('input[autocomplete~="webauthn"]')) {
        webauthn.browserSupportsWebAuthnAutofill().then((supported) => {
          if (supported) run(() => authenticate(authForm, true))
        })
      }
    }
  }

  const register = $('[data-passkey-register]')
  if (register) {
    if (!webauthn?.browserSupportsWebAuthn()) {
      register.disabled = true
      showError('This browser cannot create passkeys.')
    } else {
      register.addEventListener('click', () =>
        run(async () => {
          const name = $('#passkey-name') ? $('#passkey-name').value : ''
          const { challengeId, options } = await postJson('/v1/mfa/webauthn/options', {})
          const response = await webauthn.startRegistration({ optionsJSON: options })
          const added = await postJson('/v1/mfa/webauthn', { challengeId, response, ...(name ? { name } : {}) })
          if (Array.isArray(added.recoveryCodes)) {
            // A first factor comes with recovery codes, shown once: here, as text, never as HTML.
            const list = $('[data-recovery-codes]')
            for (const code of added.recoveryCodes) {
              const item = document.createElement('li')
              const text = document.createElement('code')
              text.textContent = code
              item.append(text)
              list.append(item)
            }
            $('[data-recovery-codes-box]').hidden = false
            register.hidden = true
          } else {
            location.assign('/ui/account/security')
          }
        }),
      )
    }
  }
})()
