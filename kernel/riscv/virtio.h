/*
 * kernel/riscv/virtio.h: the parts of the virtio 1.1 specification the disk driver
 * (kernel/riscv/virtio_disk.c) uses: the virtio-mmio register block (modern
 * interface, version 2), the device status and feature bits, the split
 * virtqueue's three shared structures, and the block device's request
 * header.
 *
 * Every multi-byte field the device sees is little-endian, as RISC-V is, so
 * plain integer types serve.  The queue size is the driver's choice, so the
 * two rings end in flexible arrays and the driver sizes them.
 */
#ifndef KERNEL_RISCV_VIRTIO_H
#define KERNEL_RISCV_VIRTIO_H

#include "include/types.h"

/*
 * Register offsets from a virtio-mmio device's base address.  Each register
 * is 32 bits wide; "R" registers are read by the driver, "W" written.
 */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000  /* R: VIRTIO_MAGIC */
#define VIRTIO_MMIO_VERSION             0x004  /* R: 2 modern, 1 legacy */
#define VIRTIO_MMIO_DEVICE_ID           0x008  /* R: VIRTIO_ID_*, 0 = empty */
#define VIRTIO_MMIO_VENDOR_ID           0x00c  /* R */
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010  /* R: 32 feature bits ... */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014  /* W: ... of word 0 or 1 */
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020  /* W: accepted bits ... */
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024  /* W: ... of word 0 or 1 */
#define VIRTIO_MMIO_QUEUE_SEL           0x030  /* W: queue that Queue* act on */
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034  /* R: largest size it supports */
#define VIRTIO_MMIO_QUEUE_NUM           0x038  /* W: size the driver chose */
#define VIRTIO_MMIO_QUEUE_READY         0x044  /* RW: 1 = queue in use */
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050  /* W: queue with new work */
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060  /* R: VIRTIO_INT_* pending */
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064  /* W: VIRTIO_INT_* handled */
#define VIRTIO_MMIO_STATUS              0x070  /* RW: VIRTIO_STATUS_* */
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080  /* W: descriptor table address */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090  /* W: available ring address */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0  /* W: used ring address */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc  /* R: changes when config does */
#define VIRTIO_MMIO_CONFIG              0x100  /* device-specific config */

#define VIRTIO_MAGIC      0x74726976   /* "virt", little-endian */
#define VIRTIO_VERSION_MODERN 2
#define VIRTIO_ID_BLOCK   2

/* InterruptStatus / InterruptACK bits. */
#define VIRTIO_INT_USED_BUFFER  (1 << 0)   /* the device added to a used ring */
#define VIRTIO_INT_CONFIG       (1 << 1)   /* the configuration changed */

/*
 * Device status bits, set by the driver in this order during start-up.
 * Writing 0 to the Status register resets the device.
 */
#define VIRTIO_STATUS_ACKNOWLEDGE  1     /* the driver has seen the device */
#define VIRTIO_STATUS_DRIVER       2     /* and knows how to drive it */
#define VIRTIO_STATUS_FEATURES_OK  8     /* feature negotiation is finished */
#define VIRTIO_STATUS_DRIVER_OK    4     /* the driver is ready: device live */
#define VIRTIO_STATUS_NEEDS_RESET  64    /* set by the device: it gave up */
#define VIRTIO_STATUS_FAILED       128   /* set by the driver: it gave up */

/*
 * Feature bits, numbered 0..63 across the two 32-bit feature words.  The
 * driver requires VERSION_1 and takes FLUSH when offered.  The other
 * block-device bits listed are the ones it declines by name: each would
 * change the request format or the queue layout, or (RO) forbid writes,
 * and the driver uses none of them.
 */
#define VIRTIO_F_VERSION_1           32  /* modern device (required) */
#define VIRTIO_F_ANY_LAYOUT          27  /* legacy: free request framing */
#define VIRTIO_F_INDIRECT_DESC       28  /* descriptors pointing at tables */
#define VIRTIO_F_EVENT_IDX           29  /* interrupt suppression by index */
#define VIRTIO_BLK_F_RO               5  /* the disk is read-only */
#define VIRTIO_BLK_F_FLUSH            9  /* has a write cache, and FLUSH */
#define VIRTIO_BLK_F_SCSI             7  /* legacy: SCSI pass-through */
#define VIRTIO_BLK_F_CONFIG_WCE      11  /* write-back cache switch */
#define VIRTIO_BLK_F_MQ              12  /* more than one request queue */

#define VIRTIO_FEATURE(bit)  ((uint64)1 << (bit))

/*
 * A split virtqueue is three areas in guest memory, shared with the device:
 *
 *   descriptor table  the driver's buffers: address, length, flags, and the
 *                     index of the next descriptor of the same chain
 *   available ring    the driver -> device queue: heads of chains to process
 *   used ring         the device -> driver queue: heads of finished chains
 *
 * Each ring's idx counts entries ever added (wrapping at 2^16); entry i sits
 * in ring[i % queue size], so the size is a power of two.  Only the producer
 * of a ring writes to it.  The areas must be aligned to 16 (descriptors),
 * 2 (available) and 4 (used) bytes.
 */
struct virtq_desc {
	uint64 addr;    /* physical address of the buffer */
	uint32 len;     /* its length in bytes */
	uint16 flags;   /* VIRTQ_DESC_F_* */
	uint16 next;    /* the chain's next descriptor, if F_NEXT */
};

#define VIRTQ_DESC_F_NEXT   1   /* the chain continues at next */
#define VIRTQ_DESC_F_WRITE  2   /* the device writes this buffer (else reads) */

struct virtq_avail {
	uint16 flags;   /* 0: the driver wants an interrupt per used entry */
	uint16 idx;     /* where the driver will put its next entry */
	uint16 ring[];  /* head descriptor indices */
};

struct virtq_used_elem {
	uint32 id;      /* head descriptor of the finished chain */
	uint32 len;     /* bytes the device wrote into the chain */
};

struct virtq_used {
	uint16 flags;
	uint16 idx;     /* where the device will put its next entry */
	struct virtq_used_elem ring[];
};

/*
 * A block request is a chain: this header (device-readable), the data
 * buffers (device-readable for OUT, device-writable for IN), and one status
 * byte (device-writable).  Sectors are 512 bytes whatever the block size.
 */
struct virtio_blk_req {
	uint32 type;       /* VIRTIO_BLK_T_* */
	uint32 reserved;
	uint64 sector;     /* first 512-byte sector to transfer */
};

#define VIRTIO_BLK_T_IN     0   /* read from the disk */
#define VIRTIO_BLK_T_OUT    1   /* write to the disk */
#define VIRTIO_BLK_T_FLUSH  4   /* make every completed write durable */

#define VIRTIO_BLK_S_OK     0   /* values of the status byte */
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR_SIZE 512

/* Block device configuration space (at VIRTIO_MMIO_CONFIG): capacity first. */
#define VIRTIO_BLK_CONFIG_CAPACITY 0x00   /* 64 bits: size in sectors */

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used element is 8 bytes");
_Static_assert(sizeof(struct virtq_avail) == 4, "avail ring header is 4 bytes");
_Static_assert(sizeof(struct virtq_used) == 4, "used ring header is 4 bytes");
_Static_assert(sizeof(struct virtio_blk_req) == 16, "request header: 16 bytes");

#endif /* KERNEL_RISCV_VIRTIO_H */
