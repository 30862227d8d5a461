// Which view is shown, kept in the URL fragment (`#/logs?worker=3`) so a reload, the back button and a
// copied link land on the same view. The token also arrives in the fragment; lib/auth.ts takes it out
// before the router first reads it.
import { getContext, setContext } from 'svelte';
import { formatHashRoute, parseHashRoute } from '../lib/hash-route';

export const VIEWS = ['open', 'overview', 'requests', 'logs', 'terminal', 'debugger', 'deployments', 'storage', 'servicebus'] as const;
export type ViewName = (typeof VIEWS)[number];

export type ViewParams = Readonly<Record<string, string>>;

function isView(name: string): name is ViewName {
  return (VIEWS as readonly string[]).includes(name);
}

export function viewHref(view: ViewName, params: ViewParams = {}): string {
  return formatHashRoute(view, params);
}

export class Router {
  view = $state<ViewName>('overview');
  params = $state.raw<ViewParams>({});
  /** False until the URL named a view (the app then picks one from the state). */
  explicit = $state(false);

  constructor() {
    this.#read();
  }

  /** Shows a view and records it in history. */
  go = (view: ViewName, params: ViewParams = {}): void => {
    this.view = view;
    this.params = params;
    this.explicit = true;
    history.pushState(history.state, '', viewHref(view, params));
  };

  /** Changes the current view's parameters without a new history entry. */
  replaceParams = (params: ViewParams): void => {
    this.params = params;
    history.replaceState(history.state, '', viewHref(this.view, params));
  };

  /** Picks the first view when the URL named none. */
  choose = (view: ViewName): void => {
    if (this.explicit) return;
    this.view = view;
    history.replaceState(history.state, '', viewHref(view));
  };

  /** Follows the back and forward buttons and hand-edited fragments; returns the teardown. */
  listen = (): (() => void) => {
    const onChange = (): void => this.#read();
    window.addEventListener('popstate', onChange);
    window.addEventListener('hashchange', onChange);
    return () => {
      window.removeEventListener('popstate', onChange);
      window.removeEventListener('hashchange', onChange);
    };
  };

  #read(): void {
    const route = parseHashRoute(location.hash);
    if (route && isView(route.view)) {
      this.view = route.view;
      this.params = route.params;
      this.explicit = true;
    }
  }
}

const KEY = Symbol.for('cloudbench.router');
export const setRouter = (router: Router): Router => setContext(KEY, router);
export const useRouter = (): Router => getContext<Router>(KEY);
