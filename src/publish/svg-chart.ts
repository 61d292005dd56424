/** Small server-rendered inline SVG: a topic's items-per-day bar chart and a source's poll sparkline. */
import type { PollOutcome, PollRecord } from '../model/types.js'
import { escapePageText } from './escape.js'
import { formatDay, formatUtc } from './html-text.js'

/** Items published on one UTC day (`YYYY-MM-DD`). */
export interface DayCount {
  day: string
  count: number
}

/** Days shown by a topic chart. */
export const CHART_DAYS = 30

/** Polls shown by a source sparkline. */
const SPARKLINE_POLLS = 30

const DAY_MS = 86_400_000

/**
 * The `count` UTC days ending with the day of `end`, oldest first, as `YYYY-MM-DD` (pure).
 * @example chartDays(new Date('2026-03-10T15:00:00Z'), 3) // ['2026-03-08', '2026-03-09', '2026-03-10']
 */
export const chartDays = (end: Date, count = CHART_DAYS): string[] => {
  const last = Math.floor(end.getTime() / DAY_MS) * DAY_MS
  return Array.from({ length: count }, (_, i) =>
    new Date(last - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  )
}

/** Fill of each bar kind; the page's CSS may override them by class (dark mode). */
export const CHART_COLOURS = { bar: '#3b7dd8', peak: '#d9640f', zero: '#c9d0da' } as const

const STEP = 10
const BAR_W = 8
const TOP = 16
const BAR_H = 44
const HEIGHT = TOP + BAR_H + 14

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * A bar per day (zero days as a thin stub), each with a `<title>` tooltip; the busiest day (the
 * latest of equals) is drawn in the peak colour and labelled with its count and date; the first
 * and last days label the axis.
 * @example renderDayChart([{ day: '2026-03-10', count: 4 }], 'Border trade: items per day')
 */
export const renderDayChart = (days: readonly DayCount[], label: string): string => {
  const width = Math.max(days.length, 1) * STEP
  const max = days.reduce((m, d) => Math.max(m, d.count), 0)
  let peak = -1
  days.forEach((d, i) => {
    if (max > 0 && d.count === max) peak = i
  })
  const bars = days.map((d, i) => {
    const h = d.count === 0 ? 1 : Math.max(2, Math.round((d.count / max) * BAR_H))
    const kind = d.count === 0 ? 'zero' : i === peak ? 'peak' : 'bar'
    const cls = kind === 'bar' ? 'bar' : `bar ${kind}`
    const tip = `${formatDay(d.day)} ${d.day.slice(0, 4)}: ${plural(d.count, 'item')}`
    return `<rect class="${cls}" x="${i * STEP + 1}" y="${TOP + BAR_H - h}" width="${BAR_W}" height="${h}" fill="${CHART_COLOURS[kind]}"><title>${escapePageText(tip)}</title></rect>`
  })
  const parts = [...bars]
  const first = days[0]
  const last = days.at(-1)
  const axisY = TOP + BAR_H + 11
  if (first && last) {
    parts.push(
      `<text class="axis" x="0" y="${axisY}">${escapePageText(formatDay(first.day))}</text>`,
    )
    parts.push(
      `<text class="axis" x="${width}" y="${axisY}" text-anchor="end">${escapePageText(formatDay(last.day))}</text>`,
    )
  }
  const top = days[peak]
  if (top) {
    const x = peak * STEP + STEP / 2
    const anchor = x < 48 ? 'start' : x > width - 48 ? 'end' : 'middle'
    const lx = anchor === 'start' ? peak * STEP : anchor === 'end' ? (peak + 1) * STEP : x
    // The peak bar is full height: its label sits in the band above the bars.
    parts.push(
      `<text class="peak-label" x="${lx}" y="${TOP - 5}" text-anchor="${anchor}">${escapePageText(`${plural(top.count, 'item')} on ${formatDay(top.day)}`)}</text>`,
    )
  } else {
    parts.push(
      `<text class="axis" x="${width / 2}" y="${TOP + BAR_H / 2}" text-anchor="middle">no items on these days</text>`,
    )
  }
  const total = days.reduce((n, d) => n + d.count, 0)
  const name = `${label}: ${plural(total, 'item')} in ${plural(days.length, 'day')}`
  return `<svg class="chart" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="img" aria-label="${escapePageText(name)}"><title>${escapePageText(name)}</title>${parts.join('')}</svg>`
}

/** Fill of each poll outcome in a sparkline. */
export const POLL_COLOURS: Record<PollOutcome, string> = {
  ok: '#1f9d55',
  'not-modified': '#8a94a6',
  error: '#d93b3b',
  'retry-later': '#e59b1c',
  gone: '#7b3fa0',
}

/** How each outcome is named in tooltips and the legend. */
export const POLL_LABELS: Record<PollOutcome, string> = {
  ok: 'ok',
  'not-modified': 'unchanged (304)',
  error: 'error',
  'retry-later': 'asked to retry later',
  gone: 'gone (410)',
}

const SPARK_STEP = 8
const SPARK_H = 20

const pollHeight = (p: PollRecord): number => {
  switch (p.outcome) {
    case 'ok':
      return (p.changed ?? 0) > 0 ? SPARK_H : 14
    case 'not-modified':
      return 8
    case 'retry-later':
      return 14
    default:
      return SPARK_H
  }
}

/**
 * The last `max` polls as small bars, newest on the right, coloured by outcome (an ok poll that
 * stored changes is taller than one that did not; a 304 is short). An empty history renders a
 * short note instead of an empty picture.
 * @example renderSparkline(state.history ?? [], 'Dawn: recent polls')
 */
export const renderSparkline = (
  history: readonly PollRecord[],
  label: string,
  max = SPARKLINE_POLLS,
): string => {
  const polls = history.slice(-max)
  if (polls.length === 0) return '<span class="muted spark-empty">no polls recorded yet</span>'
  const width = max * SPARK_STEP
  const offset = max - polls.length
  const bars = polls.map((p, i) => {
    const h = pollHeight(p)
    const colour = POLL_COLOURS[p.outcome] ?? POLL_COLOURS['not-modified']
    const what = POLL_LABELS[p.outcome] ?? String(p.outcome)
    const detail = [
      p.status !== undefined ? `HTTP ${p.status}` : '',
      p.changed ? `${p.changed} new or updated` : '',
    ].filter(Boolean)
    const tip = `${formatUtc(p.at)}: ${what}${detail.length ? ` (${detail.join(', ')})` : ''}`
    return `<rect class="poll ${escapePageText(p.outcome)}" x="${(offset + i) * SPARK_STEP}" y="${SPARK_H - h}" width="${SPARK_STEP - 2}" height="${h}" fill="${colour}"><title>${escapePageText(tip)}</title></rect>`
  })
  const name = `${label}: ${summarizePolls(polls, max)}`
  // A faint track shows how many polls the line can hold, so a short history reads as short.
  const track = `<rect class="track" x="0" y="${SPARK_H}" width="${width}" height="1" fill="${CHART_COLOURS.zero}"/>`
  return `<svg class="spark" viewBox="0 0 ${width} ${SPARK_H + 1}" width="${width}" height="${SPARK_H + 1}" role="img" aria-label="${escapePageText(name)}"><title>${escapePageText(name)}</title>${track}${bars.join('')}</svg>`
}

/**
 * The last `max` polls in words, most frequent outcome first.
 * @example summarizePolls(history) // 'last 12 polls: 10 unchanged (304), 2 ok'
 */
export const summarizePolls = (history: readonly PollRecord[], max = SPARKLINE_POLLS): string => {
  const polls = history.slice(-max)
  if (polls.length === 0) return 'no polls recorded yet'
  const counts = new Map<string, number>()
  for (const p of polls) counts.set(p.outcome, (counts.get(p.outcome) ?? 0) + 1)
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([o, n]) => `${n} ${POLL_LABELS[o as PollOutcome] ?? o}`)
  return `last ${plural(polls.length, 'poll')}: ${parts.join(', ')}`
}
