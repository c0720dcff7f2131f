"""What a person is told when a rate limit refuses them (Simplified Chinese, Telegram HTML)."""

QUESTION = "提问过于频繁，请在 {at} 后再试。"
FOLLOWUP = "追问过于频繁，请在 {at} 后再试。"
NOTICE = "发送通知过于频繁，请在 {at} 后再试。"
EXPORT = "导出过于频繁，请在 {at} 后再试。"
CHECKIN = "签到码尝试次数过多，请在 {at} 后再试（也可扫描现场的签到二维码签到）。"
# The retry time: today's as 11:05, a later day's with its date.
TODAY_AT = "{time}"
DAY_AT = "{month}月{day}日 {time}"
PHONE = "绑定尝试次数过多，请在 {at} 后再试。如手机号无误仍无法绑定，请联系网格指导员。"
