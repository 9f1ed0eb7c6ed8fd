using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Atelier.Runtime;

/// <summary>Writes a binary frame into pooled memory (little-endian integers, length-prefixed strings and bytes).</summary>
internal sealed class FrameWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public FrameWriter(int initialCapacity = 256) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public int Position => _written;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_written++] = value;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_written), value);
        _written += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_written), value);
        _written += 8;
    }

    public void WriteGuid(Guid value)
    {
        Ensure(16);
        value.TryWriteBytes(_buffer.AsSpan(_written));
        _written += 16;
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(4 + length);
        var count = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_written + 4));
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_written), count);
        _written += 4 + count;
    }

    /// <summary>Writes a length prefix and the raw bytes (no encoding of any kind).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        Ensure(4 + value.Length);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_written), value.Length);
        value.CopyTo(_buffer.AsSpan(_written + 4));
        _written += 4 + value.Length;
    }

    /// <summary>Reserves 4 bytes for a length written later with <see cref="PatchInt32"/>.</summary>
    public int ReserveInt32()
    {
        Ensure(4);
        var at = _written;
        _written += 4;
        return at;
    }

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(position), value);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int count)
    {
        count = Math.Max(count, 1);
        if (_buffer.Length - _written >= count)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + count));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
