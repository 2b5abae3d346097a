/**
 * A self-contained page that renders /openapi.json: no CDN, so it works on an offline or locked-down host.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ig-scout API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}.op{border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.6em 1em}
.m{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}.get{color:#0a7}.post{color:#06c}
.patch{color:#a60}.delete{color:#c33}code,pre{background:#f6f6f6;border-radius:4px}pre{padding:.6em;overflow:auto;font-size:13px}
details summary{cursor:pointer;color:#555}
</style></head><body>
<h1>ig-scout API</h1>
<p>Send <code>Authorization: Bearer &lt;SCRAPER_API_KEY&gt;</code> with every request except the health checks.
The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script>
fetch('/openapi.json').then(r => r.json()).then(doc => {
  const esc = s => String(s).replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  const pre = v => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
  const html = [];
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    html.push('<div class="op"><span class="m ' + method + '">' + method + '</span><code>' + esc(path) + '</code>' +
      '<div>' + esc(op.summary || '') + '</div>' +
      (op.parameters ? '<details><summary>parameters</summary>' + pre(op.parameters) + '</details>' : '') +
      (op.requestBody ? '<details><summary>request body</summary>' + pre(op.requestBody) + '</details>' : '') +
      '<details><summary>responses</summary>' + pre(op.responses) + '</details></div>');
  }
  html.push('<h2>Schemas</h2>' + pre(doc.components && doc.components.schemas));
  document.getElementById('ops').innerHTML = html.join('');
});
</script></body></html>`;
