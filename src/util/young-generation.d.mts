// Types of young-generation.mjs (plain JavaScript: bin/topicwire.js loads it before any build).
export declare const holdYoungGeneration: (workerMinSemiMb?: number) => void
export declare const growYoungGenerationTo: (capMb?: number) => void
