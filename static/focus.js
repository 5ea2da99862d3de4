// liftline: after a link opens another page (not a selector of this one), the keyboard focus
// moves to the new page's heading, so that a screen reader announces it and Tab goes on from the
// page's top. A selector (period, metric) keeps the focus on the option chosen.
(() => {
  let opening = null;
  document.addEventListener("click", (e) => {
    const link = e.target instanceof Element ? e.target.closest("a[href^='/']") : null;
    opening = link && !link.closest(".choice") ? new URL(link.href).pathname : null;
  }, true);
  document.addEventListener("htmx:after:settle", () => {
    // A live update may settle first: only the swap that brought the link's page counts.
    if (opening === null || location.pathname !== opening) return;
    opening = null;
    const heading = document.querySelector("#page h1");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  });
})();
