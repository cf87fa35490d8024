export function render(doc: unknown, errorsMarkdown: string): Promise<Record<string, string>>;
