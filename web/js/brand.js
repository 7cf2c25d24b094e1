// The deployment's own name, subtitle and logo (config.js), on every page, never a state
// emblem it has no right to. Imported by api.js and pwa.js: a module runs once per page.
const cfg = window.ACIKKAPI_CONFIG || {};
(function brand() {
  const link = document.querySelector(".brand");
  if (!link || !(cfg.officeName || cfg.officeSubtitle || cfg.logoUrl)) return;
  const title = link.querySelector("span:not(.door)");
  if (cfg.officeName) title.firstChild.textContent = cfg.officeName;
  if (cfg.officeSubtitle) title.querySelector("small").textContent = cfg.officeSubtitle;
  if (cfg.logoUrl) {
    const img = document.createElement("img");
    img.src = cfg.logoUrl; img.alt = ""; img.className = "logo"; img.width = 32; img.height = 32;
    link.querySelector(".door").replaceWith(img);
  }
})();
