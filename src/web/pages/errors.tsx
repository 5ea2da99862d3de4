/**
 * The HTML error pages: a bad query string (400), an unknown resort or path (404). Each says what
 * was wrong, escaped, and links to where the reader can go instead.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import { Panel } from "../components.tsx";
import { resortUrl } from "../layout.tsx";

/** 400: a query parameter that does not validate. */
export const BadRequestBody: FC<{ parameter: string; problem: string; retry: string }> = (
  { parameter, problem, retry },
) => (
  <Panel title="Bad request" wide>
    <p>
      The query parameter <code>{parameter}</code> {problem}.
    </p>
    <p>
      <a href={retry}>Show the page with its defaults</a>
    </p>
  </Panel>
);

/** 404: a resort RESORT_CAPACITY does not know; links the real ones. */
export const UnknownResortBody: FC<{ name: string; resorts: readonly string[] }> = (
  { name, resorts },
) => (
  <Panel title="No such resort" wide>
    <p>
      There is no resort called <q>{name}</q>.
      {resorts.length > 0 ? " The resorts are:" : ""}
    </p>
    <ul class="links">
      {resorts.map((r) => (
        <li>
          <a href={resortUrl(r)}>{r}</a>
        </li>
      ))}
    </ul>
  </Panel>
);

/** 404: any other path. */
export const NotFoundBody: FC<{ path: string }> = ({ path }) => (
  <Panel title="Not found" wide>
    <p>
      Nothing lives at <code>{path}</code>. Try the <a href="/">overview</a> or the{" "}
      <a href="/pipeline">pipeline</a>.
    </p>
  </Panel>
);
