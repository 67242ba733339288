-- wrk script for scripts/bench-signin: POST /api/v1/auth/login, alternating the right
-- and a wrong password for one member; counts what the server answered.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   n = 0
   checked = 0
   shed = 0
   other = 0
end

function request()
   n = n + 1
   local password = (n % 2 == 0) and "bench-password-123" or "a wrong password"
   local body = '{"login":"bench","password":"' .. password .. '"}'
   return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
   if status == 200 or status == 401 then
      checked = checked + 1
   elseif status == 503 then
      shed = shed + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local c, s, o = 0, 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("checked")
      s = s + t:get("shed")
      o = o + t:get("other")
   end
   io.write(string.format("checked=%d shed=%d other=%d\n", c, s, o))
end
