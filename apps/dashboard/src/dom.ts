/**
 * The only way the dashboard builds DOM. Every piece of data is set with `textContent` (or an
 * attribute), never `innerHTML`, so a sweep or parameter named `<img src=x onerror=alert(1)>`
 * renders as text.
 */
export type Child = Node | string | number | null | undefined | false;

export interface ElProps {
  readonly class?: string;
  readonly title?: string;
  readonly id?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly style?: Readonly<Record<string, string>>;
  readonly on?: Readonly<Partial<Record<keyof HTMLElementEventMap, (e: Event) => void>>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElProps | null = null,
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props) {
    if (props.class) node.className = props.class;
    if (props.title !== undefined) node.title = props.title;
    if (props.id) node.id = props.id;
    for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
    for (const [k, v] of Object.entries(props.style ?? {})) node.style.setProperty(k, v);
    for (const [k, fn] of Object.entries(props.on ?? {})) if (fn) node.addEventListener(k, fn);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === "string" || typeof c === "number" ? text(String(c)) : c);
  }
}

export function text(s: string): Text {
  return document.createTextNode(s);
}

/** Replaces all children of `parent`. */
export function replace(parent: Node, ...children: readonly Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/**
 * Escapes text for the few places that require an HTML string (ECharts tooltip formatters).
 * Everything user-provided that reaches such a string goes through here.
 */
export function escapeHtml(s: unknown): string {
  return String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
