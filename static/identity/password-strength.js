// A gentle strength hint under "New password". The server's validators have the last word.
(function () {
  const script = document.currentScript;
  const input = document.querySelector('input[name="new_password"]');
  const output = document.getElementById("password-strength");
  if (!input || !output) return;
  input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), "password-strength"].filter(Boolean).join(" "));
  input.addEventListener("input", function () {
    const value = input.value;
    const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
    const words = value.trim().split(/\s+/).length;
    let level = "weak";
    if (value.length >= 16 || (value.length >= 12 && (kinds >= 3 || words >= 3))) level = "strong";
    else if (value.length >= 12) level = "fair";
    output.textContent = value ? script.dataset[level] : "";
  });
})();
