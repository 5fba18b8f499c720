// Umbrella header: everything an application needs to use brook.
#ifndef BROOK_BROOK_H_
#define BROOK_BROOK_H_

#include "brook/admin.h"
#include "brook/client.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/consumer_records.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/log.h"
#include "brook/options.h"
#include "brook/partitioner.h"
#include "brook/producer.h"
#include "brook/record.h"
#include "brook/serde.h"

#endif  // BROOK_BROOK_H_
