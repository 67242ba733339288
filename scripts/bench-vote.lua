-- wrk script for scripts/bench: vote POSTs on one discussion, each with a member's
-- bearer token (one token per line in the file given as the first argument).
--
--   wrk -c 64 -t 2 -d 20s -s scripts/bench-vote.lua http://127.0.0.1:8080 -- \
--       TOKENS_FILE DISCUSSION_ID THREADS
--
-- Thread k of n uses the tokens k, k+n, k+2n, ... so no two threads share a member;
-- each member's votes alternate between 1 and 0 (on, off, on, ...), so every request
-- changes the score. The script does not decide whether the score is exact: scripts/bench
-- compares the discussion's score with the votes table afterwards.

local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
end

function init(args)
   local file = args[1]
   local discussion = args[2]
   local threads = tonumber(args[3]) or 1
   path = "/api/v1/discussions/" .. discussion .. "/vote"
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
   state = {}
   pos = 1
end

function request()
   local i = pos
   pos = pos % #tokens + 1
   local value = 1
   if state[i] == 1 then
      value = 0
   end
   state[i] = value
   return wrk.format("POST", path, {
      ["Authorization"] = "Bearer " .. tokens[i],
      ["Content-Type"] = "application/json",
   }, '{"value":' .. value .. '}')
end
