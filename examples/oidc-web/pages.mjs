// The example app's pages: plain HTML, no script, every value escaped.

const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

const layout = (title, body) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body>
<h1>Example app</h1>
${body}
</body>
</html>`

export const homePage = () => layout('Example app', '<p>You are not signed in.</p>\n<p><a href="/login">Sign in</a></p>')

export const signedOutPage = () => layout('Signed out', '<p>You have signed out.</p>\n<p><a href="/login">Sign in</a></p>')

/** The signed-in page; the Sign out button posts, with a CSRF token bound to the app's session. */
export const signedInPage = ({ email, csrf }) =>
  layout(
    'Signed in',
    `<p>Signed in as <strong id="email">${escapeHtml(email)}</strong></p>
<form method="post" action="/logout">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button type="submit">Sign out</button>
</form>`,
  )

export const errorPage = (message) => layout('Error', `<p role="alert">${escapeHtml(message)}</p>\n<p><a href="/">Home</a></p>`)
