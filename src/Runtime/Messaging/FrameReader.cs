using System.Buffers.Binary;
using System.Text;

namespace Atelier.Runtime;

/// <summary>Reads what <see cref="FrameWriter"/> wrote. Byte fields come back as slices of the frame (no copy).</summary>
internal struct FrameReader(ReadOnlyMemory<byte> frame)
{
    private readonly ReadOnlyMemory<byte> _frame = frame;
    private int _position;

    /// <summary>Whether every byte of the frame has been read.</summary>
    public readonly bool IsAtEnd => _position >= _frame.Length;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public Guid ReadGuid() => new(Take(16));

    public string? ReadString()
    {
        var length = ReadInt32();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public string ReadRequiredString() => ReadString() ?? throw new InvalidDataException("Frame: a required string is missing.");

    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = ReadInt32();
        if (length < 0 || length > _frame.Length - _position)
        {
            throw new InvalidDataException("Frame: byte field length out of range.");
        }

        var slice = _frame.Slice(_position, length);
        _position += length;
        return slice;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _frame.Length - _position)
        {
            throw new InvalidDataException("Frame is truncated.");
        }

        var span = _frame.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
