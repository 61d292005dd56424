import { describe, expect, it } from 'vitest'
import { SUMMARY_WORDS, storyFeatures } from '../../src/stories/features.js'
import {
  contentWords,
  fnv1a,
  hasKey,
  intersectionFor,
  intersectionSize,
  isContentWord,
  jaccard,
  jaccardAtLeast,
  keysOf,
  SKETCH_WORDS,
  sketchHits,
  sketchWeight,
  stem,
  stopWords,
  WordFilter,
  weightedCosine,
  weightedCosineIn,
  writeSketch,
} from '../../src/stories/text.js'
import { seeded } from '../helpers/random.js'

describe('stem', () => {
  it.each([
    ['reopens', 'reopen'],
    ['reopened', 'reopen'],
    ['reopening', 'reopen'],
    ['killed', 'kill'],
    ['kills', 'kill'],
    ['closes', 'clos'],
    ['closed', 'clos'],
    ['closing', 'clos'],
    ['stopped', 'stop'],
    ['casualties', 'casualty'],
    ['talks', 'talk'],
    ['crisis', 'crisis'],
    ['bus', 'bus'],
    ['kabul', 'kabul'],
  ])('%s → %s', (word, expected) => {
    expect(stem(word)).toBe(expected)
  })
})

describe('contentWords', () => {
  it('drops stop words, weekdays, months and digits, and stems the rest', () => {
    expect(contentWords('Torkham reopens on Sunday, October 5, officials said')).toEqual([
      'torkham',
      'reopen',
    ])
  })

  it('folds case, diacritics and Arabic-script variants like topic matching does', () => {
    expect(contentWords('TÜRKİYE hosts talks')).toEqual(['turkiy', 'host', 'talk'])
  })
})

describe('sorted keys', () => {
  const a = keysOf(['torkham', 'reopen', 'trade', 'trade'])
  const b = keysOf(['torkham', 'trade', 'chaman'])

  it('are sorted and unique', () => {
    expect(a).toHaveLength(3)
    expect([...a]).toEqual([...a].sort((x, y) => x - y))
  })

  it('give intersection, Jaccard and membership', () => {
    expect(intersectionSize(a, b)).toBe(2)
    expect(jaccard(a, b)).toBeCloseTo(2 / 4)
    expect(jaccard(new Uint32Array(0), new Uint32Array(0))).toBe(0)
    expect(hasKey(a, fnv1a('reopen'))).toBe(true)
    expect(hasKey(b, fnv1a('reopen'))).toBe(false)
  })
})

describe('storyFeatures', () => {
  it('keys the words of title and summary and the figures, so one figure in two spellings matches', () => {
    const x = storyFeatures('100,000 Afghans returned', 'UNHCR said on Saturday')
    const y = storyFeatures('100k Afghans returned', 'said UNHCR')
    expect(jaccard(x.keys, y.keys)).toBe(1)
    expect(hasKey(x.keys, fnv1a('#100000'))).toBe(true)
  })

  it('reads only the lede of a long summary', () => {
    const letters = (i: number): string =>
      `zq${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`
    const long = Array.from({ length: 200 }, (_, i) => letters(i)).join(' ')
    // The headline's word has two keys (it counts twice).
    expect(storyFeatures('Title', long).keys.length).toBe(2 + SUMMARY_WORDS)
  })
})

describe('contentWords in other scripts', () => {
  it('drops Urdu function words, whatever the letter forms', () => {
    const words = contentWords('سرحد کے پار')
    expect(words).toHaveLength(2)
    // The same words written with the Arabic kaf (ك) are the same words, and "کے" still a stop word.
    expect(contentWords('سرحد كے پار')).toEqual(words)
    expect(contentWords('پاکستان اور افغانستان')).toHaveLength(2)
  })
})

describe('jaccardAtLeast', () => {
  it('is jaccard when that reaches the bar and -1 otherwise, on random key sets', () => {
    const next = seeded(7)
    const keys = (n: number, range: number) =>
      keysOf(Array.from({ length: n }, () => `w${next() % range}`))
    let reached = 0
    for (let k = 0; k < 3_000; k++) {
      const range = 5 + (next() % 200)
      const a = keys(next() % 60, range)
      const b = keys(next() % 60, range)
      const min = (next() % 100) / 100
      const exact = jaccard(a, b)
      const got = jaccardAtLeast(a, b, min)
      if (exact >= min) {
        expect(got).toBe(exact)
        reached++
      } else expect(got).toBe(-1)
    }
    // Both branches are exercised.
    expect(reached).toBeGreaterThan(300)
    expect(reached).toBeLessThan(2_700)
  })
})

describe('weightedCosine', () => {
  it('is Σ w² over the shared keys / (‖a‖ · ‖b‖), b read in place from a larger array alike', () => {
    const next = seeded(11)
    const keys = (n: number, range: number) =>
      keysOf(Array.from({ length: n }, () => `w${next() % range}`))
    for (let k = 0; k < 500; k++) {
      const range = 5 + (next() % 100)
      const a = keys(next() % 40, range)
      const b = keys(next() % 40, range)
      const weights = Float64Array.from(a, () => (1 + (next() % 50)) / 10)
      const aNorm = Math.hypot(...weights)
      const bNorm = 1 + (next() % 9)
      let dot = 0
      a.forEach((key, i) => {
        if (b.includes(key)) dot += weights[i]! ** 2
      })
      const expected = aNorm === 0 ? 0 : dot / (aNorm * bNorm)
      expect(weightedCosine(a, weights, aNorm, b, bNorm)).toBeCloseTo(expected, 12)
      // b between other keys (which must not count) in a chunk.
      const before = keys(5, range)
      const chunk = Uint32Array.from([...before, ...b, ...keys(5, range)])
      expect(weightedCosineIn(a, weights, aNorm, chunk, before.length, b.length, bNorm)).toBe(
        weightedCosine(a, weights, aNorm, b, bNorm),
      )
    }
  })
})

describe('writeSketch and sketchHits', () => {
  it('never count fewer hits than shared keys, and turn down most unrelated sets', () => {
    const next = seeded(11)
    const keys = (n: number, prefix: string) =>
      keysOf(Array.from({ length: n }, () => `${prefix}${next() % 5_000}`))
    // Sketches side by side in one array, as the story index keeps them.
    const sketches = new Int32Array(SKETCH_WORDS * 2)
    let turnedDown = 0
    for (let k = 0; k < 2_000; k++) {
      const a = keys(5 + (next() % 60), 'w')
      // Half the pairs share half of a's keys, half share keys only by chance.
      const other = k % 2 === 0 ? a.slice(0, a.length >> 1) : keys(55, 'w')
      writeSketch(other, sketches, SKETCH_WORDS)
      const hits = sketchHits(sketches, SKETCH_WORDS, a)
      expect(hits).toBeGreaterThanOrEqual(intersectionSize(a, other))
      if (k % 2 === 1 && hits < intersectionFor(0.3, a.length + other.length)) turnedDown++
    }
    // The first sketch is left as it was: writing one slot clears and fills that slot only.
    expect([...sketches.subarray(0, SKETCH_WORDS)].every((x) => x === 0)).toBe(true)
    expect(turnedDown).toBeGreaterThan(900)
  })

  it('sketchWeight bounds the weighted overlap from above, and needs minHits hits', () => {
    const next = seeded(12)
    const keys = (n: number) => keysOf(Array.from({ length: n }, () => `w${next() % 3_000}`))
    const sketches = new Int32Array(SKETCH_WORDS)
    for (let k = 0; k < 500; k++) {
      const a = keys(5 + (next() % 60))
      const squares = Float64Array.from(a, () => (next() % 100) / 10)
      const other = k % 2 === 0 ? a.filter((_, i) => i % 3 === 0) : keys(50)
      writeSketch(other, sketches)
      let shared = 0
      let dot = 0
      a.forEach((x, i) => {
        if (other.includes(x)) {
          shared++
          dot += squares[i]!
        }
      })
      const bound = sketchWeight(sketches, 0, a, squares, 0)
      expect(bound).toBeGreaterThanOrEqual(dot - 1e-9)
      if (sketchHits(sketches, 0, a) < 2) expect(sketchWeight(sketches, 0, a, squares, 2)).toBe(-1)
      if (shared >= 2) expect(sketchWeight(sketches, 0, a, squares, 2)).toBe(bound)
    }
  })

  it('intersectionFor is the bar of jaccardAtLeast', () => {
    // 10 keys each, 5 shared: Jaccard 5 / 15 = 0.333.
    expect(intersectionFor(1 / 3, 20)).toBeLessThanOrEqual(5)
    expect(intersectionFor(0.34, 20)).toBeGreaterThan(5)
  })
})

describe('stem, against its rules written as regular expressions', () => {
  const reference = (w: string): string => {
    if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w
    let s = w
    if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`
    else if (s.endsWith('ing') && s.length > 5) s = s.slice(0, -3)
    else if (s.endsWith('ed') && s.length > 4) s = s.slice(0, -2)
    else if (/(?:ches|shes|sses|xes)$/.test(s)) s = s.slice(0, -2)
    else if (s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is'))
      s = s.slice(0, -1)
    if (s.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(s) && !/(?:ll|ss|zz)$/.test(s))
      s = s.slice(0, -1)
    if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1)
    return s
  }

  it('agrees on random words ending in the suffixes it knows, and on others', () => {
    const next = seeded(99)
    const letters = 'abcdefghijklmnopqrstuvwxyzlsz'
    const endings = [
      'ies',
      'ing',
      'ed',
      'ches',
      'shes',
      'sses',
      'xes',
      's',
      'ss',
      'us',
      'is',
      'e',
      'pped',
      'lled',
      'zzes',
      'yy',
      'dd',
      'gg',
      'éé',
      'É',
      '1',
      '',
    ]
    for (let k = 0; k < 20_000; k++) {
      const stemPart = Array.from(
        { length: next() % 7 },
        () => letters[next() % letters.length],
      ).join('')
      const w = stemPart + (endings[next() % endings.length] ?? '')
      expect(stem(w), w).toBe(reference(w))
      // facts.ts tells the words whose stem may move an axis by their first two characters.
      expect(stem(w).slice(0, 2), w).toBe(w.slice(0, 2))
    }
    for (const w of [
      'stopped',
      'killed',
      'reopens',
      'closes',
      'calls',
      'buzzes',
      'passes',
      'says',
      'Kabul',
    ]) {
      expect(stem(w), w).toBe(reference(w))
    }
  })
})

describe('fnv1a', () => {
  it('continues the hash of a preceding part: parts hash as their concatenation', () => {
    expect(fnv1a('world', fnv1a('hello '))).toBe(fnv1a('hello world'))
    expect(fnv1a('b', fnv1a('a'))).not.toBe(fnv1a('a'))
  })
})

describe('WordFilter', () => {
  /** Words of 0–20 characters from a small alphabet (letters, digits, a few beyond ASCII), so that probes often share a member's length and ends. */
  const words = (next: () => number, n: number): string[] => {
    const alphabet = 'aeiostkzy09é\u0641-'
    return Array.from({ length: n }, () =>
      Array.from({ length: next() % 21 }, () => alphabet[next() % alphabet.length]).join(''),
    )
  }

  it('holds every word it was made with, and rules out others by length and ends', () => {
    const next = seeded(21)
    let ruledOut = 0
    for (let round = 0; round < 50; round++) {
      const members = words(next, next() % 200)
      const filter = new WordFilter(members)
      for (const w of members) expect(filter.mayHold(w)).toBe(true)
      const set = new Set(members)
      for (const w of words(next, 200)) {
        if (set.has(w)) expect(filter.mayHold(w)).toBe(true)
        else if (!filter.mayHold(w)) ruledOut++
      }
    }
    expect(ruledOut).toBeGreaterThan(1000)
    expect(new WordFilter(['quake']).mayHold('quick')).toBe(false)
  })
})

describe('isContentWord', () => {
  it('is what the stop words and /\\d/ said', () => {
    const next = seeded(5)
    const alphabet = 'abdeinostw019\u0660é '
    const probes = [
      ...stopWords,
      'quake',
      'a1',
      'x',
      '',
      '٣',
      ...Array.from({ length: 5000 }, () =>
        Array.from({ length: 1 + (next() % 6) }, () => alphabet[next() % alphabet.length]).join(''),
      ),
    ]
    for (const w of probes)
      expect(isContentWord(w)).toBe(w.length >= 2 && !stopWords.has(w) && !/\d/.test(w))
    expect(isContentWord('quake')).toBe(true)
    expect(isContentWord('q4ake')).toBe(false)
  })
})
