#ifndef KLASTER_CMOSQUITTO_SHIM_H
#define KLASTER_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
