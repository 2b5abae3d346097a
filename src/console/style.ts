/**
 * The console's only stylesheet, inline (no CDN, no build step). Colours keep WCAG AA contrast on white. JSX escapes
 * the text of <style>, so no selector here may use `>`, `&` or quotes.
 */
export const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1rem;background:#1f2d3d;color:#fff}
header a{color:#fff}
header a[aria-current=page],#task-counts a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
#task-counts{margin:0 0 .8rem}
nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
main{padding:1rem;max-width:80rem}
a{color:#0b4fc4}
.skip,.visually-hidden{position:absolute;left:-999px}
.skip:focus{left:1rem;top:.5rem;background:#fff;color:#000;padding:.3rem .6rem;z-index:2}
form.inline{display:inline}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
.scroll{overflow-x:auto}
label{display:inline-flex;flex-direction:column;margin:0 .6rem .6rem 0;font-size:.9rem}
label.check{flex-direction:row;gap:.3rem;align-items:center}
input,select,button{font:inherit;padding:.3rem .5rem}
button{cursor:pointer}
:focus-visible{outline:3px solid #0b5fff;outline-offset:2px}
.error{color:#a10000;font-weight:600}
.ok{color:#1b5e20}
.muted{color:#555}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.8rem;margin:0 0 1rem}
.card{border:1px solid #ccc;border-radius:6px;padding:.6rem .8rem}
.card h2{font-size:1rem;margin:0 0 .4rem}
.big{font-size:1.6rem;font-weight:700}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}
dl.facts dt{color:#444}
dl.facts dd{margin:0}
progress{width:10rem;height:1rem;vertical-align:middle}
.bar{display:inline-block;width:8rem;height:.8rem;background:#e3e3e3;border:1px solid #888;vertical-align:middle}
.bar span{display:block;height:100%;background:#1f5fbf}
.chart{min-height:280px;margin:0 0 1rem}
ol.tail{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;list-style:none;padding:.5rem;margin:0;background:#111;color:#eee;max-height:70vh;overflow:auto;white-space:pre-wrap;word-break:break-word}
ol.tail .lvl-warn{color:#ffd54f}
ol.tail .lvl-error,ol.tail .lvl-fatal{color:#ff8a80}
ol.tail .lvl-debug,ol.tail .lvl-trace{color:#b0bec5}
@media (max-width:40rem){main{padding:.6rem}th,td{padding:.3rem}}
`;
