-- wrk script for bench/load.ts: replays pre-signed requests from a file, one
-- file per thread (run it with -t1), and stops once each was answered. Every
-- status outside 200-299 is counted, so a run with any is reported as failed.
--
-- Arguments: the file's path (without the ".<thread>" suffix), the number of
-- requests, and "each" (every request is in the file) or "repeat" (the file
-- holds one request, sent that many times).
--
-- File format: for each request, its length as 8 decimal digits, then the raw
-- HTTP/1.1 request bytes. The first request is the filler: a signed challenge
-- that connections send once every request was sent, since each connection
-- must send something when its answer comes; every server answers it with
-- 2xx, and its echo (the body holds "bench-filler") is not counted.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local function record()
  local size = file:read(8)
  if size == nil then return nil end
  return file:read(tonumber(size))
end

function init(args)
  path = args[1] .. "." .. id
  total = tonumber(args[2])
  file = assert(io.open(path, "rb"))
  filler = assert(record(), "no filler request in " .. path)
  if args[3] == "repeat" then one = assert(record(), "no request in " .. path) end
  sent = 0
  answered = 0
  non2xx = 0
end

-- wrk calls request() once to check what it returns without sending it: that
-- first call gets the filler, so that no request is lost.
local checked = false

function request()
  if not checked then
    checked = true
    return filler
  end
  if sent == total then return filler end
  sent = sent + 1
  if one ~= nil then return one end
  return record() or filler
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  -- The filler's echo is not counted (the baseline's `{}` is: its run may end
  -- a few answers early, which does not change its figures).
  if body ~= nil and string.find(body, "bench-filler", 1, true) then return end
  answered = answered + 1
  if answered == total then
    -- wrk runs until its -d duration is over: bench/load.ts sends SIGINT on this.
    io.write("WRK_DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"non2xx":%d,"connectErrors":%d,' ..
      '"readErrors":%d,"writeErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,' ..
      '"maxUs":%d}\n',
    summary.requests, summary.duration, bad, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
