// The sandbox page: one pane per demo person, each a chat with the bot through the emulator.
// Everything arrives over /api (JSON) and /api/events (server-sent events); no libraries.
"use strict";

const panes = new Map(); // telegram id -> pane state
let botName = "";
let venues = [];

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!body.ok) throw new Error(body.error || "请求失败");
  return body.result;
}

function post(path, data) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data || {}),
  });
}

function status(text) {
  const box = document.getElementById("status");
  box.textContent = text;
  clearTimeout(status.timer);
  if (text) status.timer = setTimeout(() => { box.textContent = ""; }, 8000);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- Message text with Telegram entities (offsets are UTF-16 units, as JS strings are) ---

function entityTag(entity, inner) {
  switch (entity.type) {
    case "bold": return ["<b>", "</b>"];
    case "italic": return ["<i>", "</i>"];
    case "underline": return ["<u>", "</u>"];
    case "strikethrough": return ["<s>", "</s>"];
    case "code": return ["<code>", "</code>"];
    case "pre": return ["<pre>", "</pre>"];
    case "blockquote":
    case "expandable_blockquote": return ["<blockquote>", "</blockquote>"];
    case "spoiler": return ['<span class="spoiler">', "</span>"];
    case "text_link": return [`<a href="${escapeAttr(entity.url)}" target="_blank" rel="noopener">`, "</a>"];
    case "url": return [`<a href="${escapeAttr(inner)}" target="_blank" rel="noopener">`, "</a>"];
    case "bot_command": return [`<a href="#" class="command" data-command="${escapeAttr(inner)}">`, "</a>"];
    default: return ["", ""];
  }
}

function escapeHtml(text) {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

function escapeAttr(text) {
  return escapeHtml(String(text)).replace(/"/g, "&quot;");
}

function renderText(text, entities) {
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].sort((a, b) => a - b);
  let html = "";
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i], end = points[i + 1];
    let piece = escapeHtml(shown(text.slice(start, end)));
    const covering = (entities || [])
      .filter((e) => e.offset <= start && e.offset + e.length >= end)
      .sort((a, b) => b.offset - a.offset || a.length - b.length);
    for (const e of covering) {
      const [open, close] = entityTag(e, text.slice(e.offset, e.offset + e.length));
      piece = open + piece + close;
    }
    html += piece;
  }
  return html;
}

// Where no emoji font is installed (a bare Debian), the bot's emoji would be boxes: they are
// drawn with symbols the shipped CJK font has instead.
const EMOJI = {
  "✅": "✓", "❌": "×", "⏰": "◎", "⏳": "○", "📨": "■", "📋": "▤", "📄": "▤", "📤": "↑",
  "📊": "▥", "🚨": "！", "🗓": "▦", "📅": "▦", "📢": "◉", "📎": "※", "📍": "◎", "💬": "●",
  "👍": "★", "🏛": "▣", "🎯": "◎", "⬜": "□",
};
const EMOJI_RE = new RegExp(Object.keys(EMOJI).join("|"), "gu");
const emojiMissing = (() => {
  // A colour emoji font draws coloured pixels; none (or a box) leaves them grey.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 24;
  const context = canvas.getContext("2d");
  if (!context) return false;
  context.font = "20px sans-serif";
  context.fillText("✅", 0, 20);
  const data = context.getImageData(0, 0, 24, 24).data;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] && (Math.abs(data[i] - data[i + 1]) > 30 || Math.abs(data[i + 1] - data[i + 2]) > 30)) return false;
  }
  return true;
})();

function shown(text) {
  return emojiMissing ? text.replace(EMOJI_RE, (e) => EMOJI[e]) : text;
}

// --- Panes ---

function addPane(chat) {
  if (panes.has(chat.person.id)) return panes.get(chat.person.id);
  const node = document.getElementById("pane-template").content.firstElementChild.cloneNode(true);
  const pane = { id: chat.person.id, node, messages: new Map(), keyboard: null, commands: [] };
  node.dataset.person = String(pane.id);
  node.querySelector(".name").textContent = chat.person.name;
  node.querySelector(".title").textContent = chat.person.title;
  node.querySelector(".pane-head .close").addEventListener("click", () => closePane(pane));
  const form = node.querySelector(".composer");
  const input = form.querySelector("textarea");
  form.addEventListener("submit", (event) => { event.preventDefault(); sendText(pane, input); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendText(pane, input);
    }
  });
  form.querySelector(".menu-button").addEventListener("click", () => toggle(pane, ".menu"));
  form.querySelector(".attach-button").addEventListener("click", () => toggle(pane, ".attach"));
  form.querySelector(".pick-photo").addEventListener("change", (e) => upload(pane, e.target, "photo"));
  form.querySelector(".pick-file").addEventListener("change", (e) => upload(pane, e.target, "document"));
  node.querySelector(".alert button").addEventListener("click", () => { node.querySelector(".alert").hidden = true; });
  node.querySelector(".messages").addEventListener("click", (event) => {
    const command = event.target.closest("a.command");
    if (command) { event.preventDefault(); say(pane, command.dataset.command); }
  });
  fillAttach(pane);
  document.getElementById("panes").appendChild(node);
  panes.set(pane.id, pane);
  for (const message of chat.messages) upsert(pane, message);
  setExtras(pane, chat);
  scrollDown(pane);
  return pane;
}

async function closePane(pane) {
  await api(`/api/panes/${pane.id}`, { method: "DELETE" });
  pane.node.remove();
  panes.delete(pane.id);
}

function toggle(pane, selector) {
  for (const other of [".menu", ".attach"]) {
    const box = pane.node.querySelector(other);
    box.hidden = other === selector ? !box.hidden : true;
  }
}

function fillAttach(pane) {
  const box = pane.node.querySelector(".attach");
  const photo = el("button", "", "发送图片");
  photo.type = "button";
  photo.addEventListener("click", () => { box.hidden = true; pane.node.querySelector(".pick-photo").click(); });
  const file = el("button", "", "发送文件");
  file.type = "button";
  file.addEventListener("click", () => { box.hidden = true; pane.node.querySelector(".pick-file").click(); });
  box.append(photo, file);
  for (const venue of venues) {
    const place = el("button", "", `发送位置：${venue.name}`);
    place.type = "button";
    place.addEventListener("click", () => { box.hidden = true; shareLocation(pane, venue); });
    box.append(place);
  }
}

function setExtras(pane, data) {
  if ("commands" in data) {
    pane.commands = data.commands || [];
    const menu = pane.node.querySelector(".menu");
    menu.replaceChildren();
    for (const command of pane.commands) {
      const item = el("button");
      item.type = "button";
      item.append(el("b", "", `/${command.command}`), document.createTextNode(command.description));
      item.addEventListener("click", () => { menu.hidden = true; say(pane, `/${command.command}`); });
      menu.append(item);
    }
  }
  if ("keyboard" in data) showKeyboard(pane, data.keyboard);
}

function showKeyboard(pane, keyboard) {
  pane.keyboard = keyboard;
  const box = pane.node.querySelector(".reply-keyboard");
  box.replaceChildren();
  box.hidden = !keyboard;
  if (!keyboard) return;
  for (const row of keyboard.keyboard || []) {
    const line = el("div", "row");
    for (const raw of row) {
      const button = typeof raw === "string" ? { text: raw } : raw;
      const node = el("button", "", shown(button.text));
      node.type = "button";
      node.addEventListener("click", () => pressKey(pane, button));
      line.append(node);
    }
    box.append(line);
  }
}

async function pressKey(pane, button) {
  try {
    if (button.request_contact) {
      await post(`/api/chats/${pane.id}/contact`);
    } else if (button.request_location) {
      toggle(pane, ".attach");
      return;
    } else {
      await post(`/api/chats/${pane.id}/text`, { text: button.text });
    }
    if (pane.keyboard && pane.keyboard.one_time_keyboard) showKeyboard(pane, null);
  } catch (error) { status(error.message); }
}

function upsert(pane, message) {
  const key = `${message.from}:${message.id}`;
  const old = pane.messages.get(key);
  const node = renderMessage(pane, message);
  if (old) {
    old.replaceWith(node);
  } else {
    // Kept in message-id order: both sides of the chat share one numbering.
    const list = pane.node.querySelector(".messages");
    const later = [...list.children].find((child) => Number(child.dataset.messageId) > message.id);
    list.insertBefore(node, later || null);
  }
  pane.messages.set(key, node);
}

function renderMessage(pane, message) {
  const node = el("div", `msg ${message.from}`);
  node.dataset.messageId = String(message.id);
  if (message.deleted) {
    node.classList.add("deleted");
    node.append(el("div", "bubble", "（消息已删除）"));
    return node;
  }
  const bubble = el("div", "bubble");
  if (message.photo) {
    const image = el("img");
    image.src = message.photo.url;
    image.alt = "图片";
    bubble.append(image);
  }
  if (message.document) {
    const doc = el("div", "doc");
    const link = el("a", "", message.document.name);
    link.href = `${message.document.url}?download=1`;
    link.download = message.document.name;
    doc.append("[文件]", link, el("span", "muted", sizeText(message.document.size)));
    bubble.append(doc);
  }
  if (message.location) {
    bubble.append(el("div", "", `[位置] ${message.location[0].toFixed(4)}, ${message.location[1].toFixed(4)}`));
  }
  if (message.text) {
    const text = el("div", "text");
    text.innerHTML = renderText(message.text, message.entities);
    bubble.append(text);
  }
  node.append(bubble);
  if (message.buttons && message.buttons.length) node.append(renderButtons(pane, message));
  const when = new Date(message.date * 1000).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
  node.append(el("div", "meta", message.edited ? `已编辑 ${when}` : when));
  return node;
}

function sizeText(size) {
  if (!size) return "";
  return size > 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(size / 1024))} KB`;
}

function renderButtons(pane, message) {
  const box = el("div", "buttons");
  for (const row of message.buttons) {
    const line = el("div", "row");
    for (const button of row) {
      const node = el("button", "", shown(button.text));
      node.type = "button";
      node.addEventListener("click", () => pressButton(pane, message, button));
      line.append(node);
    }
    box.append(line);
  }
  return box;
}

async function pressButton(pane, message, button) {
  if (button.callback_data !== undefined) {
    try {
      const answer = await post(`/api/chats/${pane.id}/press`, {
        message_id: message.id,
        callback_data: button.callback_data,
      });
      if (answer.text) (answer.show_alert ? showAlert : showToast)(pane, answer.text);
    } catch (error) { status(error.message); }
  } else if (button.url) {
    // A deep link to this bot opens its chat with /start, as Telegram does.
    const match = button.url.match(/^https:\/\/t\.me\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]+)$/);
    if (match && match[1] === botName) say(pane, `/start ${match[2]}`);
    else window.open(button.url, "_blank", "noopener");
  } else if ("switch_inline_query" in button || "switch_inline_query_current_chat" in button) {
    showToast(pane, "在 Telegram 中，这个按钮把内容分享到其他聊天（@机器人 搜索）；演示中只有这一个聊天。");
  }
}

function showToast(pane, text) {
  const toast = pane.node.querySelector(".toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(pane.toastTimer);
  pane.toastTimer = setTimeout(() => { toast.hidden = true; }, 3000);
}

function showAlert(pane, text) {
  pane.node.querySelector(".alert-text").textContent = text;
  pane.node.querySelector(".alert").hidden = false;
}

function scrollDown(pane) {
  const list = pane.node.querySelector(".messages");
  list.scrollTop = list.scrollHeight;
}

async function say(pane, text) {
  try { await post(`/api/chats/${pane.id}/text`, { text }); } catch (error) { status(error.message); }
}

function sendText(pane, input) {
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  say(pane, text);
}

async function shareLocation(pane, venue) {
  try {
    await post(`/api/chats/${pane.id}/location`, { latitude: venue.latitude, longitude: venue.longitude });
  } catch (error) { status(error.message); }
}

async function upload(pane, input, kind) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  try {
    await api(`/api/chats/${pane.id}/upload?kind=${kind}`, {
      method: "POST",
      headers: { "X-Filename": encodeURIComponent(file.name) },
      body: file,
    });
  } catch (error) { status(error.message); }
}

// --- Live updates ---

function onEvent(event) {
  const data = JSON.parse(event.data);
  if (data.type === "message") {
    const pane = panes.get(data.chat);
    if (!pane) return;
    upsert(pane, data);
    if (data.from === "bot") setExtras(pane, data);
    scrollDown(pane);
  } else if (data.type === "clock") {
    showClock(data);
    status(`提醒时钟已到 ${data.now}：发出 ${data.queued} 条提醒（${data.skipped} 条未绑定或已过期，不发送）。`);
  }
}

// --- Clock and picker ---

function showClock(clock) {
  document.getElementById("clock-now").textContent = clock.now;
  const select = document.getElementById("travel-preset");
  select.replaceChildren(el("option", "", "选择要跳到的时间…"));
  select.firstChild.value = "";
  for (const preset of clock.presets) {
    const option = el("option", "", preset.label);
    option.value = preset.at;
    select.append(option);
  }
}

async function travel() {
  const preset = document.getElementById("travel-preset").value;
  const typed = document.getElementById("travel-at").value;
  const at = preset || typed;
  if (!at) { status("请选择或输入要跳到的时间。"); return; }
  try { await post("/api/clock", { at }); } catch (error) { status(error.message); }
}

let searches = 0;

async function searchPeople() {
  const q = document.getElementById("picker-q").value.trim();
  const search = ++searches;
  const people = await api(`/api/people?q=${encodeURIComponent(q)}`);
  if (search !== searches) return; // a later search (the user typed on) answers instead
  const list = document.getElementById("picker-list");
  list.replaceChildren();
  for (const person of people) {
    const item = el("li");
    item.dataset.person = String(person.id);
    item.append(el("b", "", person.name), el("div", "title", person.title));
    item.addEventListener("click", async () => {
      document.getElementById("picker").hidden = true;
      status(`正在打开 ${person.name} 的聊天…`);
      try {
        const chat = await post("/api/panes", { id: person.id });
        addPane(chat).node.scrollIntoView({ inline: "end", behavior: "smooth" });
        status("");
      } catch (error) { status(error.message); }
    });
    list.append(item);
  }
}

async function untilReady() {
  // The page is served from the first second; the sandbox behind it answers once it is up.
  for (;;) {
    const response = await fetch("/api/state").catch(() => null);
    const body = response ? await response.json().catch(() => ({})) : {};
    if (body.ok) return;
    document.getElementById("status").textContent = body.error || "正在连接演示沙盒…";
    await new Promise((resolve) => { setTimeout(resolve, 400); });
  }
}

async function start() {
  document.fonts.load('16px "Noto Sans CJK SC"', "统计网格助手");
  await untilReady();
  status("");
  const source = new EventSource("/api/events");
  source.onmessage = onEvent;
  // Listening before the state is read: nothing sent in between is missed.
  await new Promise((resolve) => { source.onopen = resolve; setTimeout(resolve, 3000); });
  const state = await api("/api/state");
  botName = state.bot;
  venues = state.venues;
  for (const chat of state.panes) addPane(chat);
  showClock(state.clock);
  document.getElementById("travel-go").addEventListener("click", travel);
  document.getElementById("add-person").addEventListener("click", () => {
    document.getElementById("picker").hidden = false;
    document.getElementById("picker-q").focus();
    searchPeople();
  });
  document.getElementById("picker-q").addEventListener("input", searchPeople);
  document.querySelector("#picker [data-close]").addEventListener("click", () => {
    document.getElementById("picker").hidden = true;
  });
  document.body.dataset.ready = "1";
}

start().catch((error) => status(`无法加载：${error.message}`));
