/** The one stylesheet of the hosted pages, served at /ui/assets/tessera.css. */
export const STYLESHEET = `:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--accent:#0b5cad;--accent-fg:#fff;--danger:#b42318}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;--accent:#4493f8;--accent-fg:#0d1117;--danger:#ff7b72}}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:16px;line-height:1.5;color:var(--fg);background:var(--bg)}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:8vh 1rem 2rem}
.card{width:100%;max-width:24rem;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:2rem 1.5rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
.lead{color:var(--muted);margin:0 0 1.5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=email],input[type=password],input[type=text]{width:100%;font:inherit;padding:.625rem .75rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
button{display:block;width:100%;margin-top:1.5rem;font:inherit;font-weight:600;padding:.7rem 1rem;border:0;border-radius:8px;background:var(--accent);color:var(--accent-fg);cursor:pointer}
button.secondary{background:transparent;color:var(--fg);border:1px solid var(--line);margin-top:.75rem}
.actions button{margin-top:1rem}
.connection-icon{vertical-align:middle;margin-right:.5rem;border-radius:4px}
.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0 0}
.alert{color:var(--danger);border:1px solid currentColor;border-radius:8px;padding:.5rem .75rem}
.alt{margin:1.5rem 0 0;text-align:center}
a{color:var(--accent)}
.scopes{padding-left:1.25rem}
a.button{display:block;text-align:center;text-decoration:none;font-weight:600;padding:.7rem 1rem;border-radius:8px;border:1px solid var(--line);color:var(--fg);margin-top:.75rem}
.notice{border:1px solid var(--line);border-radius:8px;padding:.5rem .75rem}
.scopes li{margin:.25rem 0}
[hidden]{display:none!important}
.qr-box{display:flex;justify-content:center;margin:1rem 0}
.qr{width:12rem;height:12rem}
.secret{word-break:break-all}
.codes{columns:2;font-size:1.05rem}
@media (max-width:30rem){body{padding-top:1rem}.card{border:0;background:transparent;padding:1rem .25rem}}
`
