/**
 * Model text that tries to run script in the view. Every payload that would run sets
 * `window.__pwned` (or calls alert / logs "PWNED"), so a test can assert that none ran.
 * Covers raw HTML tags and event handlers, `javascript:` links (HTML and Markdown), style and
 * template breakouts, mutation-XSS shapes, and KaTeX commands that emit links or HTML when
 * trusted (\href, \url, \htmlId, \htmlClass, \htmlStyle, \htmlData, \includegraphics).
 */
const RUN = 'window.__pwned=(window.__pwned||0)+1;console.log("PWNED")';

export const XSS_PAYLOADS: readonly string[] = [
  `<script>${RUN}</script>`,
  `<img src=x onerror="${RUN}">`,
  `<svg onload="${RUN}"></svg>`,
  `<svg><script>${RUN}</script></svg>`,
  `<iframe srcdoc="<script>parent.${RUN}</script>"></iframe>`,
  `<a href="javascript:${RUN}">click me</a>`,
  `[click me](javascript:${RUN})`,
  `</style><script>${RUN}</script>`,
  `</textarea></pre></title><script>${RUN}</script>`,
  `"><img src=x onerror="${RUN}">`,
  `' onmouseover='${RUN}' x='`,
  `<body onload="${RUN}">`,
  `<details open ontoggle="${RUN}">x</details>`,
  `<input autofocus onfocus="${RUN}">`,
  `<video><source onerror="${RUN}"></video>`,
  `<object data="javascript:${RUN}"></object>`,
  `<embed src="javascript:${RUN}">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${RUN}">`,
  `<base href="javascript:${RUN}//">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${RUN}">`,
  `<noscript><p title="</noscript><img src=x onerror=${RUN}>">`,
  `{{constructor.constructor('${RUN}')()}}`,
  `\${${RUN}}`,
  `$\\href{javascript:${RUN}}{click me}$`,
  `\\(\\url{javascript:${RUN}}\\)`,
  `$$\\htmlId{x" onmouseover="${RUN}}{y}$$`,
  `$\\htmlClass{x" onclick="${RUN}}{y}$`,
  `$\\htmlStyle{background:url(javascript:${RUN})}{y}$`,
  `$\\htmlData{onclick=${RUN}}{y}$`,
  `$\\includegraphics{javascript:${RUN}}$`,
  `\\boxed{<img src=x onerror="${RUN}">}`,
  `$\\text{<script>${RUN}</script>}$`,
  `<style>@import "javascript:${RUN}";</style>`,
  `<link rel="import" href="data:text/html,<script>${RUN}</script>">`,
  `<form action="javascript:${RUN}"><button>go</button></form>`,
  `<isindex type=image src=1 onerror="${RUN}">`,
  `<marquee onstart="${RUN}">x</marquee>`,
  `&lt;img src=x onerror="${RUN}"&gt;`,
  `<scr<script>ipt>${RUN}</scr</script>ipt>`,
  `data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+`,
];
