namespace Atelier.Cluster;

/// <summary>
/// Lua scripts of the membership table. Rows are written only through these so that each write is one atomic
/// step on the Redis server, timed by the Redis clock (heartbeats compared across silos never suffer clock skew).
/// Status values are <see cref="Atelier.Runtime.SiloStatus"/> as integers (3 = dead).
/// </summary>
internal static class MembershipScripts
{
    private const string Now = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /// <summary>
    /// Status change by the silo itself. KEYS: row, silos set, version, table epoch. ARGV: address, status, name, channel,
    /// dead retention (s), directory epoch for a row this write creates ('*' = the current epoch: a new silo has no
    /// activations; '' = none). Dead is final and statuses only move forward: a silo declared dead cannot write itself
    /// back to life (returns -1), a late "joining" after "active" is ignored (returns 0). Otherwise bumps and publishes
    /// the table version (returned).
    /// </summary>
    public const string WriteStatus = Now + """
        local cur = redis.call('HGET', KEYS[1], 'status')
        if cur == '3' then return -1 end
        if cur and tonumber(ARGV[2]) < tonumber(cur) then return 0 end
        if not cur then
          redis.call('HSET', KEYS[1], 'started', now, 'name', ARGV[3])
          local dir = ARGV[6]
          if dir == '*' then dir = redis.call('GET', KEYS[4]) or '' end
          if dir ~= '' then redis.call('HSET', KEYS[1], 'dir', dir) end
          redis.call('SADD', KEYS[2], ARGV[1])
        end
        redis.call('HSET', KEYS[1], 'status', ARGV[2], 'heartbeat', now)
        if ARGV[2] == '3' then redis.call('EXPIRE', KEYS[1], ARGV[5]) end
        local v = redis.call('INCR', KEYS[3])
        redis.call('PUBLISH', ARGV[4], v)
        return v
        """;

    /// <summary>
    /// Heartbeat (and load report) of the silo itself. KEYS: row, silos set, version, table epoch. ARGV: address, load
    /// JSON (or ''), name, channel, must-exist ('1' once the silo has joined), the epoch the silo knows ('' none yet), a
    /// fresh epoch to use if the table has none, the status to re-assert, the epoch in which the silo's directory entries
    /// are complete ('' none). Returns {result, epoch}: result -1 when the row says dead, or is gone although the silo had
    /// joined this same table (expired after being declared dead); 2 when the row was gone because the whole table was
    /// lost (Redis restarted empty: the epoch changed), so the row was written again with the silo's status (and no
    /// directory epoch: its activations must be registered again first); 1 otherwise (a first report creates a joining
    /// row whose directory is complete in this epoch, as a new silo has no activations). A changed directory epoch
    /// bumps and publishes the table version, so silos waiting for the directory to be complete learn it at once.
    /// </summary>
    public const string Heartbeat = Now + """
        local epoch = redis.call('GET', KEYS[4])
        if not epoch then
          epoch = ARGV[7]
          redis.call('SET', KEYS[4], epoch)
        end
        local cur = redis.call('HGET', KEYS[1], 'status')
        if cur == '3' then return { -1, epoch } end
        local result = 1
        if not cur then
          local status = '0'
          if ARGV[5] == '1' then
            if ARGV[6] == '' or ARGV[6] == epoch then return { -1, epoch } end
            status = ARGV[8]
            result = 2
          end
          redis.call('HSET', KEYS[1], 'started', now, 'name', ARGV[3], 'status', status)
          if result == 1 then redis.call('HSET', KEYS[1], 'dir', epoch) end
          redis.call('SADD', KEYS[2], ARGV[1])
          local v = redis.call('INCR', KEYS[3])
          redis.call('PUBLISH', ARGV[4], v)
        elseif ARGV[9] ~= '' and redis.call('HGET', KEYS[1], 'dir') ~= ARGV[9] then
          redis.call('HSET', KEYS[1], 'dir', ARGV[9])
          local v = redis.call('INCR', KEYS[3])
          redis.call('PUBLISH', ARGV[4], v)
        end
        redis.call('HSET', KEYS[1], 'heartbeat', now)
        if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'load', ARGV[2]) end
        return { result, epoch }
        """;

    /// <summary>
    /// Declares another silo dead. KEYS: row, version. ARGV: table version the caller judged, max heartbeat age (ms),
    /// channel, dead retention (s). Compare-and-set on the table version: the declaration applies only to the table
    /// the caller actually read, so two silos judging at once cannot disagree (the second sees a new version, re-reads,
    /// finds the silo dead already). The staleness is re-checked on the Redis clock inside the same step, so a
    /// heartbeat that landed after the caller's read saves the silo. Returns the new version, 0 (already dead or
    /// gone), -1 (alive after all) or -2 (table version changed: re-read and re-judge).
    /// </summary>
    public const string DeclareDead = Now + """
        if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return -2 end
        local cur = redis.call('HGET', KEYS[1], 'status')
        if (not cur) or cur == '3' then return 0 end
        local hb = tonumber(redis.call('HGET', KEYS[1], 'heartbeat') or '0')
        if now - hb < tonumber(ARGV[2]) then return -1 end
        redis.call('HSET', KEYS[1], 'status', '3')
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        local v = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[3], v)
        return v
        """;

    /// <summary>
    /// A suspicion of another silo (it missed direct probes). KEYS: row, version, suspicions hash. ARGV: table version
    /// the suspecter judged, suspecter address, suspicion expiry (ms), quorum, channel, dead retention (s).
    /// Compare-and-set on the table version like <see cref="DeclareDead"/>: a suspicion counts only against the table
    /// the suspecter read. Records the suspicion (Redis clock), drops expired ones, and when unexpired suspicions from
    /// distinct silos reach the quorum declares the silo dead in the same step (bumps and publishes the version).
    /// Returns the new version (declared dead), 0 (already dead or gone), -2 (version changed) or -(10 + n): recorded,
    /// n unexpired suspicions so far.
    /// </summary>
    public const string Suspect = Now + """
        if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return -2 end
        local cur = redis.call('HGET', KEYS[1], 'status')
        if (not cur) or cur == '3' then return 0 end
        redis.call('HSET', KEYS[3], ARGV[2], now)
        local n = 0
        local all = redis.call('HGETALL', KEYS[3])
        for i = 1, #all, 2 do
          if now - tonumber(all[i + 1]) < tonumber(ARGV[3]) then n = n + 1 else redis.call('HDEL', KEYS[3], all[i]) end
        end
        if n < tonumber(ARGV[4]) then
          redis.call('PEXPIRE', KEYS[3], ARGV[3])
          return -(10 + n)
        end
        redis.call('DEL', KEYS[3])
        redis.call('HSET', KEYS[1], 'status', '3')
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        local v = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[5], v)
        return v
        """;

    /// <summary>
    /// Reads the whole table in one step (a consistent snapshot). KEYS: silos set, version, epoch. ARGV: row key prefix.
    /// Returns {version, now, epoch or '', address, {row fields}, address, {row fields}, ...}; addresses whose row
    /// expired are removed from the set.
    /// </summary>
    public const string ReadTable = Now + """
        local out = { redis.call('GET', KEYS[2]) or '0', tostring(now), redis.call('GET', KEYS[3]) or '' }
        for _, silo in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local row = redis.call('HGETALL', ARGV[1] .. silo)
          if #row == 0 then
            redis.call('SREM', KEYS[1], silo)
          else
            table.insert(out, silo)
            table.insert(out, row)
          end
        end
        return out
        """;
}
