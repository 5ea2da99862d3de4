// liftline: says so when a page's live connection to the server is lost, and stops saying it
// once it is back. Without it a stopped server left every page showing its last numbers as if
// they were current. htmx's SSE extension reports each failed reconnect (htmx:sse:error) and
// each connection made (htmx:sse:after:connection); the note is in the layout, hidden.
(() => {
  const show = (lost) => {
    document.documentElement.classList.toggle("offline", lost);
    const note = document.getElementById("connection");
    if (note) note.hidden = !lost;
  };
  document.addEventListener("htmx:sse:error", () => show(true));
  document.addEventListener("htmx:sse:after:connection", () => show(false));
})();
