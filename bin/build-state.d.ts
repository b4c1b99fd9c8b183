export const COMPILED_TREES: string[];
export const COMPILED_FILES: string[];
export const STAMP: string;
export const ENTRY: string;
export function newestSourceMtime(root: string): number;
export function currentBuild(root: string): string | undefined;
