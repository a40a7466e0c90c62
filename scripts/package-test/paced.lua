-- wrk at a fixed low rate: every connection pauses WRK_PAUSE_MS (default 20) between its requests, so -c4 sends about
-- 200 requests a second whatever the machine.
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "20")

function delay()
  return pause
end
