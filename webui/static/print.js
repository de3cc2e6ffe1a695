// A button marked data-print opens the browser's print dialog (the page's print stylesheet lays it out).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
