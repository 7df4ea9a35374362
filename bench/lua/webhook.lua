-- wrk: POST pre-signed Stripe events, each thread its own share, in order.
-- WEBHOOK_EVENTS names a file of lines "signature<TAB>body".
local events = {}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(os.getenv("WEBHOOK_THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("WEBHOOK_EVENTS")) do
    if n % count == id then
      local tab = string.find(line, "\t", 1, true)
      table.insert(events, { string.sub(line, 1, tab - 1), string.sub(line, tab + 1) })
    end
    n = n + 1
  end
  index = 0
end

function request()
  index = index + 1
  local e = events[((index - 1) % #events) + 1]
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Stripe-Signature"] = e[1] }, e[2])
end
