/** The topic checks of a command that tags: rules compiled as the tagger will, model files read. */
import type { Topic } from '../model/types.js'
import { compileTopics, RuleError, TopicRulesError } from '../topics/compile.js'
import type { Problem } from './locate.js'
import { loadModelFiles } from './model-file.js'

/** Compiles the rules the way the tagger will, so a rule that cannot run is a config error. */
const ruleProblems = (topics: Topic[]): Problem[] => {
  const at = (topicId: string, e: RuleError): Problem => ({
    path: ['topics', topicId, 'match', ...e.path],
    message: e.message,
  })
  try {
    compileTopics(topics)
    return []
  } catch (e) {
    if (e instanceof TopicRulesError)
      return e.errors.map(({ topicId, error }) => at(topicId, error))
    if (e instanceof RuleError) return [at(topics[0]?.id ?? '', e)]
    throw e
  }
}

/**
 * Problems of the topics beyond their YAML: a rule that cannot run (compiled as the tagger will
 * compile it) and a `model.file` that cannot be used; fills in each topic's `model.base`.
 * @example readConfigText(text, file, env, topicProblems)
 */
export const topicProblems = (topics: Topic[], configFile: string): Problem[] => [
  ...ruleProblems(topics),
  ...loadModelFiles(topics, configFile),
]
