using System.Buffers;

namespace Atelier.Imaging;

/// <summary>
/// COCO run-length encoding (pycocotools <c>maskUtils.encode</c>/<c>decode</c>). Pixels are visited in
/// column-major (Fortran) order; runs alternate background/foreground starting with background (so a mask
/// whose first pixel is set starts with a 0 run). The string form writes each run, from the third on as the
/// difference to the run two before, as little-endian groups of 5 bits, each group + 48 as one ASCII character,
/// bit 0x20 meaning "more groups follow" and bit 0x10 of the last group carrying the sign.
/// </summary>
public static class RleCodec
{
    /// <summary>Encodes a mask (non-zero = foreground).</summary>
    public static CocoRle Encode(Mask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int w = mask.Width, h = mask.Height;
        var data = mask.Data;
        var writer = new CountsWriter();
        var transitions = new ColumnTransitions(w);
        try
        {
            // Runs are column-major but the mask is row-major. Walking down the columns touches a new cache
            // line per pixel; instead compare each row with the one above (vectorized: masks change rarely)
            // and record, per column, the rows where the value flips. The runs then follow from the flips.
            for (var y = 1; y < h; y++)
            {
                transitions.AddRowDifferences(data.Slice((y - 1) * w, w), data.Slice(y * w, w), y);
            }

            transitions.Seal();
            var current = false;
            long run = 0;
            for (var x = 0; x < w; x++)
            {
                var top = data[x] != 0;
                if (top != current)
                {
                    writer.Add(run);
                    run = 0;
                    current = top;
                }

                var y = 0;
                foreach (var flip in transitions.Of(x))
                {
                    run += flip - y;
                    writer.Add(run);
                    run = 0;
                    y = flip;
                    current = !current;
                }

                run += h - y;
            }

            writer.Add(run);
            return new CocoRle(h, w, writer.ToString());
        }
        finally
        {
            transitions.Dispose();
            writer.Dispose();
        }
    }

    /// <summary>Decodes to a 0/255 mask. The caller disposes it.</summary>
    /// <exception cref="FormatException">The string is malformed or its runs do not add up to Height·Width.</exception>
    public static Mask Decode(CocoRle rle)
    {
        ArgumentNullException.ThrowIfNull(rle.Counts);
        int w = rle.Width, h = rle.Height;
        var mask = new Mask(w, h, clear: true);
        try
        {
            var data = mask.Data;
            var s = rle.Counts.AsSpan();
            long total = (long)w * h, position = 0, previous2 = 0, previous1 = 0;
            var index = 0;
            var on = false;
            var p = 0;
            while (p < s.Length)
            {
                long x = 0;
                var k = 0;
                bool more;
                do
                {
                    if (p >= s.Length || k > 12)
                    {
                        throw new FormatException("Truncated or oversized run in RLE counts.");
                    }

                    long c = s[p] - 48;
                    if (c is < 0 or > 63)
                    {
                        throw new FormatException($"Invalid character '{s[p]}' in RLE counts.");
                    }

                    x |= (c & 0x1f) << (5 * k);
                    more = (c & 0x20) != 0;
                    p++;
                    k++;
                    if (!more && (c & 0x10) != 0)
                    {
                        x |= -1L << (5 * k);
                    }
                }
                while (more);

                if (index > 2)
                {
                    x += previous2;
                }

                if (x < 0 || position + x > total)
                {
                    throw new FormatException("RLE runs are negative or exceed the mask size.");
                }

                if (on)
                {
                    for (var i = position; i < position + x; i++)
                    {
                        // column-major: pixel i is (row i % h, column i / h)
                        data[(int)((i % h * w) + (i / h))] = Mask.On;
                    }
                }

                position += x;
                previous2 = previous1;
                previous1 = x;
                index++;
                on = !on;
            }

            if (position != total)
            {
                throw new FormatException($"RLE runs cover {position} pixels; the mask has {total}.");
            }

            return mask;
        }
        catch
        {
            mask.Dispose();
            throw;
        }
    }

    /// <summary>Appends runs as characters into a pooled buffer.</summary>
    private struct CountsWriter : IDisposable
    {
        private char[] _buffer;
        private int _length;
        private int _index;
        private long _previous1;
        private long _previous2;

        public CountsWriter()
        {
            _buffer = ArrayPool<char>.Shared.Rent(256);
        }

        public void Add(long run)
        {
            var x = run;
            if (_index > 2)
            {
                x -= _previous2;
            }

            _previous2 = _previous1;
            _previous1 = run;
            _index++;
            var more = true;
            while (more)
            {
                var c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more)
                {
                    c |= 0x20;
                }

                Append((char)(c + 48));
            }
        }

        public readonly override string ToString() => new(_buffer, 0, _length);

        public void Dispose()
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = [];
        }

        private void Append(char c)
        {
            if (_length == _buffer.Length)
            {
                var bigger = ArrayPool<char>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<char>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            _buffer[_length++] = c;
        }
    }
}
