import { say } from "./api.js";
import { surveyBox } from "./survey.js";

const live = document.getElementById("live");
const holder = document.getElementById("survey");
const token = new URLSearchParams(location.hash.slice(1)).get("t") || "";

surveyBox(token, live)
  .then((box) => { holder.replaceWith(box); })
  .catch((e) => say(live, e.message, "err"));
