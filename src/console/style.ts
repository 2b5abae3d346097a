/** The console's only stylesheet, inline (no CDN, no build step). Colours keep WCAG AA contrast on white. */
export const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1rem;background:#1f2d3d;color:#fff}
header a{color:#fff}
nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
main{padding:1rem;max-width:80rem}
form.inline{display:inline}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
.scroll{overflow-x:auto}
label{display:inline-flex;flex-direction:column;margin:0 .6rem .6rem 0;font-size:.9rem}
input,select,button{font:inherit;padding:.3rem .5rem}
button{cursor:pointer}
:focus-visible{outline:3px solid #0b5fff;outline-offset:2px}
.error{color:#a10000;font-weight:600}
.muted{color:#555}
`;
