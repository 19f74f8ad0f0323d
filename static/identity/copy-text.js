// "Copy" buttons: <button data-copy-target="id" data-copied="Copied" hidden>. Shown only when the
// browser can copy; the text copied is the target element's data-copy-text (or its text).
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.dataset.copyText || target.textContent.trim()).then(function () {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
