/** The index page's inline stylesheet (light and dark) and its CSP hash. */
import { createHash } from 'node:crypto'
import { POLL_COLOURS } from './svg-chart.js'

/** Mobile first; `prefers-color-scheme` switches the palette; long words wrap instead of scrolling. */
export const INDEX_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f5;--fg:#1c1f24;--muted:#5b6370;--card:#fff;--line:#dfe2e7;--accent:#0a5fc2;--chip:#eef2f8;--bar:#3b7dd8;--peak:#d9640f;--zero:#c9d0da;--ok:#1f8a46;--warn:#b45309;--bad:#c62828;--off:#6b7280}
@media (prefers-color-scheme:dark){:root{--bg:#121418;--fg:#e5e8ec;--muted:#9aa3af;--card:#1b1e24;--line:#2c3139;--accent:#73b3ff;--chip:#252a33;--bar:#5b9cf0;--peak:#fb8c3c;--zero:#394150;--ok:#4ade80;--warn:#fbbf24;--bad:#f87171;--off:#9ca3af}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Naskh Arabic",sans-serif;overflow-wrap:anywhere}
header,main,footer{max-width:68rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.25rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.2rem;margin:2rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.02rem;margin:0 0 .3rem;line-height:1.3}
a{color:var(--accent)}
p{margin:.3rem 0}
.muted{color:var(--muted);font-size:.88rem}
nav{display:flex;flex-wrap:wrap;gap:.35rem .9rem;margin:.6rem 0 0;font-size:.95rem}
.grid{display:grid;gap:.9rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,19rem),1fr))}
.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.8rem .95rem;min-width:0}
.subscribe{display:flex;flex-wrap:wrap;gap:.35rem;margin:.45rem 0 .2rem;padding:0;list-style:none}
.subscribe a{display:inline-block;padding:.05rem .6rem;border:1px solid var(--line);border-radius:1rem;font-size:.82rem;text-decoration:none;background:var(--chip)}
.count{font-variant-numeric:tabular-nums}
.chart{display:block;width:100%;height:auto;margin-top:.5rem}
.chart .bar{fill:var(--bar)}.chart .bar.peak{fill:var(--peak)}.chart .bar.zero{fill:var(--zero)}
.chart text{fill:var(--muted);font-size:10px;font-family:inherit}.chart .peak-label{fill:var(--fg);font-weight:600}
.spark{display:block;width:100%;max-width:15rem;height:auto;margin-top:.45rem}.spark .track{fill:var(--zero)}
.items{list-style:none;margin:0;padding:0}
.items li{padding:.6rem 0;border-bottom:1px solid var(--line)}
.items a.title{font-weight:600;text-decoration:none;color:var(--fg)}
.items a.title:hover{color:var(--accent);text-decoration:underline}
.meta{color:var(--muted);font-size:.85rem;margin-top:.15rem}
.chip{display:inline-block;padding:0 .5rem;margin:.1rem .25rem 0 0;border-radius:1rem;background:var(--chip);font-size:.78rem;text-decoration:none}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.75rem;font-weight:600;border:1px solid currentColor;vertical-align:.1em;margin-left:.35rem}
.badge.ok{color:var(--ok)}.badge.failing{color:var(--bad)}.badge.gone{color:var(--bad)}.badge.pending,.badge.disabled{color:var(--off)}
.error{color:var(--bad);font-size:.85rem}
.legend{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.82rem;color:var(--muted);margin:0 0 .8rem}
.sw{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.3rem;vertical-align:-.05em}
${Object.entries(POLL_COLOURS)
  .map(([outcome, colour]) => `.sw.${outcome}{background:${colour}}`)
  .join('')}
footer{margin-top:2.5rem;padding-bottom:2rem;color:var(--muted);font-size:.85rem}
`.trim()

/** `'sha256-…'` of INDEX_CSS for `Content-Security-Policy: style-src` (no `unsafe-inline`). */
export const INDEX_CSS_HASH = `'sha256-${createHash('sha256').update(INDEX_CSS).digest('base64')}'`
