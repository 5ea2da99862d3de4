/**
 * The HTML error pages: a bad query string (400), an unknown resort or path (404). Each says what
 * was wrong, escaped, and links to where the reader can go instead.
 *
 * @module
 */
import type { FC, PropsWithChildren } from "hono/jsx";
import { resortUrl } from "../layout.tsx";

/** An error page's heading and its explanation: the page's one `h1`, as every page has. */
const ErrorPage: FC<PropsWithChildren<{ title: string }>> = ({ title, children }) => (
  <>
    <h1>{title}</h1>
    <section class="panel wide" aria-label={title}>
      {children}
    </section>
  </>
);

/** 400: a query parameter that does not validate. */
export const BadRequestBody: FC<{ parameter: string; problem: string; retry: string }> = (
  { parameter, problem, retry },
) => (
  <ErrorPage title="Bad request">
    <p>
      The query parameter <code>{parameter}</code> {problem}.
    </p>
    <p>
      <a href={retry}>Show the page with its defaults</a>
    </p>
  </ErrorPage>
);

/** 404: a resort RESORT_CAPACITY does not know; links the real ones. */
export const UnknownResortBody: FC<{ name: string; resorts: readonly string[] }> = (
  { name, resorts },
) => (
  <ErrorPage title="No such resort">
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
  </ErrorPage>
);

/** 404: any other path. */
export const NotFoundBody: FC<{ path: string }> = ({ path }) => (
  <ErrorPage title="Not found">
    <p>
      Nothing lives at <code>{path}</code>. Try the <a href="/">overview</a> or the{" "}
      <a href="/pipeline">pipeline</a>.
    </p>
  </ErrorPage>
);
