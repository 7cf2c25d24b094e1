// The office console: sign-in, the district queue, case detail with actions, desk
// intake and a dashboard. One module per view under js/buro/; this file wires them.
import { renderAdmin } from "./buro/admin.js";
import { renderDashboard } from "./buro/dashboard.js";
import { openCase } from "./buro/case.js";
import { renderIntake } from "./buro/intake.js";
import { renderKvkk } from "./buro/kvkk.js";
import { renderPartners } from "./buro/partners.js";
import { renderQueue } from "./buro/queue.js";
import { screens, wireSignIn } from "./buro/session.js";

Object.assign(screens, { queue: renderQueue, case: openCase, intake: renderIntake, dashboard: renderDashboard,
  partners: renderPartners, kvkk: renderKvkk, admin: renderAdmin });

document.querySelectorAll("[data-view]").forEach((b) => b.addEventListener("click", () => {
  const v = b.dataset.view;
  if (v in screens && v !== "case") screens[v]();
}));

wireSignIn();
