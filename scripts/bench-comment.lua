-- wrk script for scripts/bench: comment POSTs, each with a member's bearer token (one
-- token per line in the file given as the first argument), spread over the
-- discussions FIRST .. FIRST+COUNT-1 in turn.
--
--   wrk -c 64 -t 2 -d 20s -s scripts/bench-comment.lua http://127.0.0.1:8080 -- \
--       TOKENS_FILE FIRST COUNT THREADS
--
-- Thread k of n uses the tokens k, k+n, k+2n, ... so no two threads share a member.
-- Every body differs (thread and counter), as people's replies do. scripts/bench counts
-- the comments afterwards: every 201 must have written exactly one.

local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
end

function init(args)
   local file = args[1]
   first = tonumber(args[2]) or 1
   count = tonumber(args[3]) or 1
   local threads = tonumber(args[4]) or 1
   tokens = {}
   local i = 0
   for line in io.lines(file) do
      if line ~= "" then
         if i % threads == (id - 1) then
            table.insert(tokens, line)
         end
         i = i + 1
      end
   end
   if #tokens == 0 then
      error("no tokens for thread " .. id .. " in " .. file)
   end
   pos = 1
   n = 0
end

function request()
   local i = pos
   pos = pos % #tokens + 1
   n = n + 1
   local discussion = first + (n * 7 + id) % count
   return wrk.format("POST", "/api/v1/discussions/" .. discussion .. "/comments", {
      ["Authorization"] = "Bearer " .. tokens[i],
      ["Content-Type"] = "application/json",
   }, '{"body":"A benchmark reply, number ' .. n .. ' of thread ' .. id .. '."}')
end
