namespace Atelier.Silo.Endpoints;

/// <summary><c>GET /docs</c>: a self-contained page that lists the OpenAPI operations and lets you try them (no external scripts).</summary>
internal static class ApiPage
{
    public static IEndpointRouteBuilder MapApiPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/docs", () => TypedResults.Text(Html, "text/html; charset=utf-8"))
            .WithName("ApiPage")
            .WithTags("Operations")
            .WithSummary("Interactive API page")
            .Produces(StatusCodes.Status200OK, contentType: "text/html");
        return endpoints;
    }

    private const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Atelier API</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}
        details{border:1px solid #ccc;border-radius:4px;margin:.4em 0;padding:.4em}
        summary{cursor:pointer}.m{display:inline-block;width:4.5em;font-weight:bold}
        textarea{width:100%;height:6em;font-family:monospace}pre{background:#f4f4f4;padding:.5em;overflow:auto;max-height:20em}
        </style></head><body>
        <h1>Atelier API</h1>
        <p>Document: <a href="/openapi/v1.json">/openapi/v1.json</a>. API key (optional): <input id="key" size="40"></p>
        <div id="ops">Loading…</div>
        <script>
        const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
        async function send(method, path, form) {
          let url = path;
          for (const input of form.querySelectorAll('input[data-p]')) url = url.replace('{' + input.dataset.p + '}', encodeURIComponent(input.value));
          const headers = {}; const key = document.getElementById('key').value;
          if (key) headers['Authorization'] = 'Bearer ' + key;
          const init = { method, headers };
          const file = form.querySelector('input[type=file]'); const text = form.querySelector('textarea');
          if (file && file.files.length) { init.body = file.files[0]; headers['Content-Type'] = file.files[0].type || 'application/octet-stream'; }
          else if (text && text.value.trim()) { init.body = text.value; headers['Content-Type'] = 'application/json'; headers['Accept'] = 'application/json'; }
          const out = form.querySelector('pre'); out.textContent = '…';
          const response = await fetch(url, init);
          const type = response.headers.get('content-type') || '';
          const head = response.status + ' ' + type + '  silo=' + (response.headers.get('x-atelier-silo') || '');
          if (type.startsWith('image/')) { const blob = await response.blob(); out.innerHTML = esc(head) + '<br><img style="max-width:100%" src="' + URL.createObjectURL(blob) + '">'; }
          else out.textContent = head + '\n' + await response.text();
        }
        fetch('/openapi/v1.json').then(r => r.json()).then(doc => {
          const ops = document.getElementById('ops'); ops.innerHTML = '';
          for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
            if (!op || typeof op !== 'object' || !op.responses) continue;
            const params = (path.match(/\{(\w+)\}/g) || []).map(p => p.slice(1, -1));
            const body = op.requestBody ? Object.keys(op.requestBody.content || {}) : [];
            const d = document.createElement('details');
            d.innerHTML = '<summary><span class="m">' + method.toUpperCase() + '</span> ' + esc(path) + ' — ' + esc(op.summary) + '</summary>'
              + '<p>' + esc(op.description) + '</p><form>' + params.map(p => esc(p) + ': <input data-p="' + esc(p) + '"> ').join('')
              + (body.some(t => t.startsWith('image/') || t.includes('gzip')) ? '<p>File: <input type="file"></p>' : '')
              + (body.includes('application/json') ? '<textarea placeholder="JSON body"></textarea>' : '')
              + '<p><button>Send</button></p><pre></pre></form>'
              + '<p>Responses: ' + Object.keys(op.responses).map(esc).join(', ') + '</p>';
            d.querySelector('form').addEventListener('submit', e => { e.preventDefault(); send(method.toUpperCase(), path, e.target); });
            ops.appendChild(d);
          }
        });
        </script></body></html>
        """;
}
