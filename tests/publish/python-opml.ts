/** Reads an OPML document back with Python's xml.etree (/usr/bin/python3): an independent, strict XML parser. */
import { spawnSync } from 'node:child_process'

/** What Python's xml.etree (an independent, strict XML parser) reads from an OPML document. */
export interface ParsedOpml {
  version: string
  title: string
  groups: { text: string; outlines: Record<string, string>[] }[]
}

const PARSE = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
body = root.find('body')
print(json.dumps({
  'version': root.get('version'),
  'title': (root.findtext('head/title') or '').strip(),
  'groups': [{'text': g.get('text'), 'outlines': [dict(o.attrib) for o in g.findall('outline')]}
             for g in body.findall('outline')],
}))
`

/** Parses with /usr/bin/python3 (Debian's): a malformed document fails the test here. */
export const parseOpmlWithPython = (xml: string): ParsedOpml => {
  const run = spawnSync('/usr/bin/python3', ['-c', PARSE], { input: xml, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`python could not parse the OPML: ${run.stderr}`)
  return JSON.parse(run.stdout) as ParsedOpml
}
