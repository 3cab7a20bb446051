/* caredesk knowledge base in the composer: insert a suggested article's link or text into the reply, and remember
   it in a hidden `articles` field so that the sent reply records the use ("<id>:link" or "<id>:text"). */
(function () {
  "use strict";

  function insertAt(field, text) {
    var start = field.selectionStart, end = field.selectionEnd, value = field.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var inserted = lead + text + "\n";
    field.value = before + inserted + after;
    field.selectionStart = field.selectionEnd = before.length + inserted.length;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-article]");
    if (!button) return;
    var form = button.closest("form");
    var field = form && form.querySelector("textarea[name$=body]");
    if (!field) return;
    insertAt(field, button.dataset.insert);
    var value = button.dataset.insertArticle + ":" + button.dataset.how;
    var uses = form.querySelector("[data-article-uses]");
    if (!uses.querySelector("input[value='" + value + "']")) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "articles";
      input.value = value;
      uses.append(input);
    }
    button.setAttribute("aria-pressed", "true");
  });

  // Enter in the article search looks for articles; it must not send the reply around it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-article-search]")) {
      event.preventDefault();
      event.target.dispatchEvent(new Event("search", { bubbles: true }));
    }
  });
})();
