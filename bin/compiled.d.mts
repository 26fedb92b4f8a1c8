// Types of bin/compiled.mjs for the TypeScript that imports it (tests).
export declare const SOURCE_DIRS: readonly string[];
export declare const BUILD_STAMP: string;
export declare function newestSource(root: string): number;
export declare function compiledStaleness(root: string): string | undefined;
